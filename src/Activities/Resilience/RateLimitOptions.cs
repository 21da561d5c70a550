using System.ComponentModel.DataAnnotations;

namespace IvvyWorkflows.Activities.Resilience;

/// <summary>The rate limits of one remote account, which <see cref="CallPacer"/> keeps the account's calls under.</summary>
/// <remarks>Set them to the account's real limits (HubSpot: 100 calls per 10 s on Free/Starter private apps, 190 on
/// Professional/Enterprise, 4 searches a second). The remote's 429s are still handled: they slow the pacer down.</remarks>
public sealed class RateLimitOptions
{
    /// <summary>Calls allowed in any <see cref="Window"/>; 0 = no pacing (the remote's 429s alone slow calls down).</summary>
    [Range(0, 1_000_000)]
    public int CallsPerWindow { get; set; }

    /// <summary>The rolling window <see cref="CallsPerWindow"/> counts over.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Search calls allowed in any second, counted apart from the others; 0 = not paced apart.</summary>
    [Range(0, 10_000)]
    public int SearchCallsPerSecond { get; set; }

    /// <summary>The share of each limit used, leaving room for the account's other clients and for calls that reach
    /// the remote later than they left (their window is the remote's, not ours).</summary>
    [Range(0.1, 1.0)]
    public double Headroom { get; set; } = 0.95;
}
