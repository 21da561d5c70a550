namespace IvvyWorkflows.Engine.Tests;

/// <summary>Tests that share the Azurite of <see cref="AzuriteFixture"/>; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Azurite";
}
