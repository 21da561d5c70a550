using System.ComponentModel.DataAnnotations;
using IvvyWorkflows.Sandbox.HubSpot;
using IvvyWorkflows.Sandbox.Ivvy;

namespace IvvyWorkflows.Sandbox;

/// <summary>Settings of a <see cref="SandboxHost"/>: where state lives, which ports to bind, and each simulator's limits.</summary>
public sealed class SandboxOptions
{
    /// <summary>Folder holding the simulators' databases (ivvy.db, hubspot.db). Null = a temporary folder deleted when the host is disposed.</summary>
    /// <remarks>Point two runs at the same folder and the second sees the first one's state (no reseed).</remarks>
    public string? DataDirectory { get; set; }

    /// <summary>Loopback port of the iVvy simulator; 0 = any free port.</summary>
    [Range(0, 65535)]
    public int IvvyPort { get; set; }

    /// <summary>Loopback port of the HubSpot simulator; 0 = any free port.</summary>
    [Range(0, 65535)]
    public int HubSpotPort { get; set; }

    /// <summary>Latency added to every API call of both simulators at start, in milliseconds (changeable at run time per simulator).</summary>
    [Range(0, 600_000)]
    public int LatencyMs { get; set; }

    /// <summary>The iVvy simulator's settings.</summary>
    [Required]
    public IvvySimulatorOptions Ivvy { get; set; } = new();

    /// <summary>The HubSpot simulator's settings.</summary>
    [Required]
    public HubSpotSimulatorOptions HubSpot { get; set; } = new();
}
