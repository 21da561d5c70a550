using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Activities.Sync;

/// <summary>Settles a field changed on both sides since the last sync, as a two-way module's pairing says.</summary>
public static class ConflictPolicy
{
    public const string Ivvy = "ivvy";
    public const string Crm = "crm";

    /// <summary>The side ("ivvy" or "crm") whose value <paramref name="field"/> takes: the policy's side, the field's owner,
    /// or else the newer record. Ties and unknown times go to iVvy, so the outcome never depends on which stream runs first.</summary>
    /// <param name="pairing">The module's pairing block.</param>
    /// <param name="field">The field as the writing stream's template names it; one item of a keyed list is
    /// <c>list[fieldId]</c>, owned by its own entry or else by the list's.</param>
    /// <param name="x">The side the record being written comes from.</param>
    /// <param name="xModified">When that record last changed.</param>
    /// <param name="yModified">When the other side's record last changed.</param>
    public static string Winner(PairingDefinition pairing, string field, string x, DateTimeOffset? xModified, DateTimeOffset? yModified)
    {
        switch (pairing.ConflictPolicy)
        {
            case "ivvy-wins":
                return Ivvy;
            case "crm-wins":
                return Crm;
            case "field-owners" when pairing.FieldOwners.TryGetValue(field, out var owner)
                                     || (field.IndexOf('[', StringComparison.Ordinal) is > 0 and var at && pairing.FieldOwners.TryGetValue(field[..at], out owner)):
                return owner;
        }

        if (xModified is { } xm && yModified is { } ym && xm != ym)
        {
            return xm > ym ? x : x == Ivvy ? Crm : Ivvy;
        }

        return Ivvy;
    }
}
