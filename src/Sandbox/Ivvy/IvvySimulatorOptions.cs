using System.ComponentModel.DataAnnotations;

namespace IvvyWorkflows.Sandbox.Ivvy;

/// <summary>Settings of the iVvy simulator: credentials it accepts, the limits it enforces and the data it seeds.</summary>
public sealed class IvvySimulatorOptions
{
    /// <summary>API key the simulator accepts. A public sandbox default, not a secret.</summary>
    [Required]
    public string ApiKey { get; set; } = "sandbox-key";

    /// <summary>API secret signatures are checked with. A public sandbox default, not a secret.</summary>
    [Required]
    public string ApiSecret { get; set; } = "sandbox-secret";

    /// <summary>Largest page a list action returns; a larger <c>perPage</c> is silently capped, as iVvy does.</summary>
    [Range(1, 10_000)]
    public int MaxPerPage { get; set; } = 100;

    /// <summary>Page size when a list call sends no <c>perPage</c>.</summary>
    [Range(1, 10_000)]
    public int DefaultPerPage { get; set; } = 100;

    /// <summary>Largest difference between the request's IVVY-Date/Date and the simulator's clock (iVvy: 5 minutes).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ClockSkewLimit { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Contacts seeded when the database is created.</summary>
    [Range(0, 10_000_000)]
    public int SeedCount { get; set; } = 2000;

    /// <summary>Seed of the deterministic data generator: the same seed gives the same contacts.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Share of seeded contacts that repeat another contact's first name + last name + email (iVvy allows it).</summary>
    [Range(0.0, 0.5)]
    public double DuplicateIdentityRate { get; set; } = 0.01;
}
