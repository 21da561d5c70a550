using System.ComponentModel.DataAnnotations;

namespace IvvyWorkflows.Engine;

/// <summary>Settings of the embedded durable engine, bound from the configuration section <c>Engine</c>.</summary>
/// <remarks>
/// The defaults are tuned for one machine and fast crash recovery (measured in docs: a killed host resumes its next
/// activity about 15 s after a restart with these values, against 5 minutes with the library defaults).
/// </remarks>
public sealed class DurableEngineOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Engine";

    /// <summary>The connection string of the machine's emulator on its well-known ports 10000-10002 (external storage:
    /// the engine neither starts nor stops it).</summary>
    public const string DevelopmentStorageConnectionString = "UseDevelopmentStorage=true";

    /// <summary>
    /// Azure Storage connection string of the durable backend. Null or empty: the engine starts (or adopts) the local
    /// Azurite emulator that <see cref="DataDirectory"/> owns, on free ports recorded there (see <see cref="AzuriteLauncher"/>).
    /// </summary>
    /// <remarks>A secret: it never reaches a log or an exception message.</remarks>
    public string? StorageConnectionString { get; set; }

    /// <summary>Folder for local state: Azurite's data, log, record and leases, and the Azurite install if one is needed.</summary>
    [Required]
    public string DataDirectory { get; set; } = "./.ivvy-workflows";

    /// <summary>
    /// Name of the task hub (its queues, tables and blob containers are named after it). Azure Storage rules:
    /// 3–45 characters, letters and digits only, starting with a letter.
    /// </summary>
    [Required]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,44}$",
        ErrorMessage = "Engine:TaskHubName must be 3-45 characters, letters and digits only, starting with a letter.")]
    public string TaskHubName { get; set; } = "ivvyworkflows";

    /// <summary>
    /// Identity of this worker in the task hub's partition leases. Keep it stable for the embedded host, so a
    /// restarted process reclaims its own partitions at once; give each scale-out node its own.
    /// </summary>
    [Required]
    [StringLength(128, MinimumLength = 1)]
    public string WorkerId { get; set; } = "embedded";

    /// <summary>
    /// How long a fetched activity message stays invisible to other workers. The engine renews the lock while an
    /// activity runs, so this bounds only how long a crashed worker's activity waits before it runs again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:10:00")]
    public TimeSpan WorkItemVisibility { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a fetched orchestration (control-queue) message stays invisible to other workers.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:10:00")]
    public TimeSpan ControlQueueVisibility { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest back-off between polls of an idle queue: the worst-case pick-up delay of new work.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Number of control-queue partitions. One suits one machine; it is fixed when the task hub is created.
    /// </summary>
    [Range(1, 16)]
    public int PartitionCount { get; set; } = 1;

    /// <summary>
    /// When the engine stops, stop the data directory's Azurite (gracefully, so Azurite saves its state) unless another
    /// process of ours still uses it. Storage given by <see cref="StorageConnectionString"/> is never stopped.
    /// </summary>
    public bool StopAzuriteOnExit { get; set; } = true;

    /// <summary>
    /// How long the storage may stop answering while the engine runs before the engine gives up on it: a run
    /// waiting on it then stops with a message saying the storage went away and how to start it again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:03", "00:10:00",
        ErrorMessage = "Engine:StorageLossTimeout must be between 00:00:03 and 00:10:00.")]
    public TimeSpan StorageLossTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// True when the engine is to start or adopt the data directory's own Azurite: no connection string. Any connection
    /// string, <c>UseDevelopmentStorage=true</c> included, is storage run by someone else, never started or stopped.
    /// </summary>
    public bool UsesLocalAzurite => string.IsNullOrWhiteSpace(StorageConnectionString);
}
