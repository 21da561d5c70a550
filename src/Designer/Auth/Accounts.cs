using System.Security.Cryptography;
using System.Text;
using IvvyWorkflows.Designer.Data;
using Microsoft.AspNetCore.Identity;

namespace IvvyWorkflows.Designer.Auth;

/// <summary>Local accounts and API keys: passwords hashed with ASP.NET Core Identity's hasher, API keys kept as the
/// SHA-256 of their random secret (a 256-bit secret needs no slow hash; the key itself is never stored).</summary>
public sealed class Accounts(ServiceStore store, TimeProvider time)
{
    private const string KeyPrefix = "ivw_";
    private static readonly PasswordHasher<UserAccount> Hasher = new();

    /// <summary>Adds a local account with a one-time password, which is returned (to print once) and must be changed
    /// at the first sign-in.</summary>
    /// <exception cref="ArgumentException">The role is not one of <see cref="Roles.All"/>, or the name is taken or empty.</exception>
    public string AddUser(string userName, string role)
    {
        if (string.IsNullOrWhiteSpace(userName))
        {
            throw new ArgumentException("A user needs a name.", nameof(userName));
        }

        if (!Roles.IsKnown(role))
        {
            throw new ArgumentException($"Unknown role '{role}': use one of {string.Join(", ", Roles.All)}.", nameof(role));
        }

        var password = RandomSecret(18);
        if (!store.AddUser(userName, role, Hasher.HashPassword(null!, password), mustChangePassword: true, time.GetUtcNow()))
        {
            throw new ArgumentException($"There is already a user '{userName}'.", nameof(userName));
        }

        return password;
    }

    /// <summary>The account when the password is right, else null (unknown user and wrong password look the same).</summary>
    public UserAccount? Verify(string userName, string password)
    {
        var user = store.FindUser(userName);
        if (user is null)
        {
            // Same work as a real check, so timing does not tell which user names exist.
            Hasher.VerifyHashedPassword(null!, Hasher.HashPassword(null!, "x"), password);
            return null;
        }

        var result = Hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            store.SetPassword(user.UserName, Hasher.HashPassword(user, password), user.MustChangePassword);
        }

        return result == PasswordVerificationResult.Failed ? null : user;
    }

    public void SetPassword(string userName, string newPassword, bool mustChange = false)
    {
        if (newPassword.Length < 12)
        {
            throw new ArgumentException("A password needs at least 12 characters.", nameof(newPassword));
        }

        store.SetPassword(userName, Hasher.HashPassword(null!, newPassword), mustChange);
    }

    /// <summary>A new API key; the returned key is the only copy.</summary>
    public (ApiKeyRecord Record, string Key) AddApiKey(string name, string role, string createdBy)
    {
        if (!Roles.IsKnown(role))
        {
            throw new ArgumentException($"Unknown role '{role}': use one of {string.Join(", ", Roles.All)}.", nameof(role));
        }

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = RandomSecret(32);
        var record = new ApiKeyRecord(id, name, role, Hash(secret), createdBy, time.GetUtcNow());
        store.AddApiKey(record);
        return (record, $"{KeyPrefix}{id}.{secret}");
    }

    /// <summary>The key's record when <paramref name="key"/> is a key we issued and have not revoked.</summary>
    public ApiKeyRecord? VerifyApiKey(string key)
    {
        var dot = key.IndexOf('.', StringComparison.Ordinal);
        if (!key.StartsWith(KeyPrefix, StringComparison.Ordinal) || dot < 0)
        {
            return null;
        }

        var record = store.FindApiKey(key[KeyPrefix.Length..dot]);
        return record is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(record.SecretHash), Encoding.ASCII.GetBytes(Hash(key[(dot + 1)..])))
            ? record
            : null;
    }

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string RandomSecret(int bytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
