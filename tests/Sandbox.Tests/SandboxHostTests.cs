using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Text.Json.Nodes;
using IvvyWorkflows.Sandbox.Tests.Ivvy;

namespace IvvyWorkflows.Sandbox.Tests;

public sealed class SandboxHostTests
{
    [Fact]
    public async Task StartAsync_FreePorts_BindsTwoLoopbackOrigins()
    {
        await using var host = await TestSandbox.StartAsync(TestSandbox.NewClock(), seedCount: 5);

        Assert.Equal("127.0.0.1", host.IvvyBaseUrl.Host);
        Assert.Equal("127.0.0.1", host.HubSpotBaseUrl.Host);
        Assert.NotEqual(host.IvvyBaseUrl.Port, host.HubSpotBaseUrl.Port);
        Assert.Equal("ivvy", host.Ivvy.Name);
        Assert.Equal("hubspot", host.HubSpot.Name);
    }

    [Fact]
    public async Task StartAsync_NoDataDirectory_TemporaryFolderDeletedOnDispose()
    {
        var host = await TestSandbox.StartAsync(TestSandbox.NewClock(), seedCount: 5);
        var folder = host.DataDirectory;
        Assert.True(File.Exists(Path.Combine(folder, "ivvy.db")));

        await host.DisposeAsync();

        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task StartAsync_PortOutOfRange_ThrowsValidation()
    {
        await Assert.ThrowsAsync<ValidationException>(() =>
            SandboxHost.StartAsync(new SandboxOptions { IvvyPort = 70_000 }));
    }

    [Fact]
    public async Task StartAsync_InvalidIvvyOptions_ThrowsValidation()
    {
        var options = new SandboxOptions();
        options.Ivvy.MaxPerPage = 0;

        await Assert.ThrowsAsync<ValidationException>(() => SandboxHost.StartAsync(options));
    }

    [Fact]
    public async Task StartAsync_SameDataDirectory_KeepsStateAndDoesNotReseed()
    {
        var folder = TestSandbox.NewDirectory();
        try
        {
            var time = TestSandbox.NewClock();
            int added;
            string touchedFirstName;
            await using (var first = await TestSandbox.StartAsync(time, seedCount: 30, dataDirectory: folder))
            {
                using var client = new IvvyTestClient(first.IvvyBaseUrl, time);
                added = await client.AddOrUpdateAsync(new JsonObject { ["firstName"] = "Ngaio", ["lastName"] = "Parata", ["email"] = "ngaio@example.net" });
                await first.Ivvy.TouchContactAsync(1, c => c["firstName"] = "Renamed");
                touchedFirstName = (await first.Ivvy.GetContactAsync(1))!["firstName"]!.GetValue<string>();
            }

            // A different seed setting must not matter: an existing database is opened as it was left.
            await using var second = await TestSandbox.StartAsync(time, seedCount: 30, dataDirectory: folder,
                configure: o => o.Ivvy.Seed = 999);
            using var again = new IvvyTestClient(second.IvvyBaseUrl, time);

            Assert.Equal(31, await second.Ivvy.CountContactsAsync());
            Assert.Equal("Ngaio", (await again.GetContactAsync(added))["firstName"]!.GetValue<string>());
            Assert.Equal(touchedFirstName, (await again.GetContactAsync(1))["firstName"]!.GetValue<string>());
            Assert.True(Directory.Exists(folder));
        }
        finally
        {
            TestSandbox.DeleteDirectory(folder);
        }
    }

    [Fact]
    public async Task StartAsync_AfterReset_StaysEmpty()
    {
        var folder = TestSandbox.NewDirectory();
        try
        {
            await using (var first = await TestSandbox.StartAsync(TestSandbox.NewClock(), seedCount: 10, dataDirectory: folder))
            {
                await first.Ivvy.ResetAsync();
            }

            await using var second = await TestSandbox.StartAsync(TestSandbox.NewClock(), seedCount: 10, dataDirectory: folder);

            Assert.Equal(0, await second.Ivvy.CountContactsAsync());
        }
        finally
        {
            TestSandbox.DeleteDirectory(folder);
        }
    }

    [Fact]
    public async Task StopAsync_Twice_SecondCallIsHarmlessAndServerIsGone()
    {
        var time = TestSandbox.NewClock();
        var host = await TestSandbox.StartAsync(time, seedCount: 5);
        using var client = new IvvyTestClient(host.IvvyBaseUrl, time);
        Assert.Equal(HttpStatusCode.OK, (await client.CallAsync("test", "ping")).Status);

        await host.StopAsync();
        await host.StopAsync();

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.CallAsync("test", "ping"));
    }

    [Fact]
    public async Task StartAsync_LatencyMsSetting_AppliesToBothSimulators()
    {
        await using var host = await TestSandbox.StartAsync(TestSandbox.NewClock(), seedCount: 5, configure: o => o.LatencyMs = 25);

        Assert.Equal(TimeSpan.FromMilliseconds(25), host.IvvyControls.Latency);
        Assert.Equal(TimeSpan.FromMilliseconds(25), host.HubSpotControls.Latency);
    }

    [Fact]
    public async Task StartAsync_PortInUse_ThrowsAndRunningHostCarriesOn()
    {
        var time = TestSandbox.NewClock();
        await using var running = await TestSandbox.StartAsync(time, seedCount: 1);

        await Assert.ThrowsAnyAsync<IOException>(() =>
            TestSandbox.StartAsync(time, seedCount: 1, configure: o => o.IvvyPort = running.IvvyBaseUrl.Port));

        using var client = new IvvyTestClient(running.IvvyBaseUrl, time);
        Assert.Equal(HttpStatusCode.OK, (await client.CallAsync("test", "ping")).Status);
    }
}
