namespace IvvyWorkflows.Engine.Runs;

/// <summary>
/// Says "a process of ours is running this module in this data directory": a locked file,
/// <c>{dataDirectory}/runs/{module}.lock</c>, whose lock goes with the process (even on <c>kill -9</c>).
/// </summary>
/// <remarks>The state store's fencing already keeps two processes running one module exact, but the second would only
/// duplicate the first's work; with this lock it says the run is already going and leaves it to the first.</remarks>
public sealed class ModuleRunLock : IDisposable
{
    private readonly FileStream _file;

    private ModuleRunLock(FileStream file) => _file = file;

    /// <summary>Takes the module's lock, or returns null when another process holds it.</summary>
    public static ModuleRunLock? TryAcquire(string dataDirectory, string module)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(module);
        var folder = Directory.CreateDirectory(Path.Combine(dataDirectory, "runs")).FullName;
        try
        {
            return new ModuleRunLock(new FileStream(Path.Combine(folder, module + ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();
}
