using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace IvvyWorkflows.Engine.Backend;

/// <summary>
/// The tables, queues and blob containers of one task hub in a storage account, by name.
/// </summary>
/// <remarks>Azurite saves its state every few seconds, so one restarted after a kill may have lost resources the
/// task hub was created with; comparing what exists with what existed after creation tells whether it did.</remarks>
sealed class TaskHubResources(string connectionString, string taskHubName)
{
    /// <summary>Every resource whose name starts with the task hub's name ("table:", "queue:" or "container:" first).</summary>
    public async Task<IReadOnlySet<string>> ListAsync(CancellationToken ct)
    {
        string lower = taskHubName.ToLowerInvariant();
        var names = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var table in new TableServiceClient(connectionString).QueryAsync(cancellationToken: ct))
        {
            if (table.Name.StartsWith(taskHubName, StringComparison.OrdinalIgnoreCase))
            {
                names.Add("table:" + table.Name);
            }
        }

        await foreach (var queue in new QueueServiceClient(connectionString).GetQueuesAsync(prefix: lower, cancellationToken: ct))
        {
            names.Add("queue:" + queue.Name);
        }

        await foreach (var container in new BlobServiceClient(connectionString).GetBlobContainersAsync(prefix: lower, cancellationToken: ct))
        {
            names.Add("container:" + container.Name);
        }

        return names;
    }
}
