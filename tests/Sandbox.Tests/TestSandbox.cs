using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Sandbox.Tests;

/// <summary>Starts real sandbox hosts for tests: loopback, free ports, a small seed, a fake clock.</summary>
internal static class TestSandbox
{
    /// <summary>The fake clock's start: a Sunday morning in June 2025, UTC.</summary>
    public static readonly DateTimeOffset Start = new(2025, 6, 15, 10, 30, 0, TimeSpan.Zero);

    public static FakeTimeProvider NewClock() => new(Start);

    public static Task<SandboxHost> StartAsync(
        TimeProvider time, int seedCount = 50, string? dataDirectory = null, Action<SandboxOptions>? configure = null)
    {
        var options = new SandboxOptions { DataDirectory = dataDirectory };
        options.Ivvy.SeedCount = seedCount;
        configure?.Invoke(options);
        return SandboxHost.StartAsync(options, time);
    }

    /// <summary>A fresh folder under the temp directory; the caller deletes it.</summary>
    public static string NewDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "ivvy-sandbox-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    public static void DeleteDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
