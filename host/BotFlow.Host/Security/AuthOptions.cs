namespace BotFlow.Host.Security;

/// <summary>Credentials. Section <c>BotFlow:Auth</c> (security.md).</summary>
public sealed class AuthOptions
{
    public const string Section = "BotFlow:Auth";

    /// <summary>API keys for programs; several may be active at once so a key can be rotated without downtime.</summary>
    public List<ApiKeyOptions> ApiKeys { get; set; } = [];

    /// <summary>Users of the editor and the dashboard, with ASP.NET Core Identity password hashes (<c>dotnet BotFlow.Host.dll hash-password</c>).</summary>
    public List<AuthUser> Users { get; set; } = [];

    /// <summary>In Development with no key and no user configured, requests from loopback act as admin. Default true.</summary>
    public bool DevelopmentLoopbackIsAdmin { get; set; } = true;

    /// <summary>How long a sign-in lasts without activity. Default 8 h.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    public bool HasCredentials => ApiKeys.Count > 0 || Users.Count > 0;
}

/// <summary>An editor/dashboard user.</summary>
public sealed class AuthUser
{
    public string Username { get; set; } = "";

    /// <summary>admin, editor, channel or viewer.</summary>
    public string Role { get; set; } = Roles.Viewer;

    /// <summary>ASP.NET Core Identity <c>PasswordHasher</c> hash (V3: PBKDF2-SHA512, salted).</summary>
    public string PasswordHash { get; set; } = "";
}

public sealed class ApiKeyOptions
{
    /// <summary>Who the key belongs to (shown in logs and, later, the audit log).</summary>
    public string Name { get; set; } = "";

    /// <summary>admin, editor, channel or viewer.</summary>
    public string Role { get; set; } = Roles.Viewer;

    /// <summary>The key itself, or leave empty and set <see cref="Sha256"/>.</summary>
    public string? Key { get; set; }

    /// <summary>The key's SHA-256 as hex, so configuration need not hold the key.</summary>
    public string? Sha256 { get; set; }
}

public static class Roles
{
    public const string Admin = "admin", Editor = "editor", Channel = "channel", Viewer = "viewer";
    public static readonly string[] All = [Admin, Editor, Channel, Viewer];
}

/// <summary>The authorization policies endpoint groups require (security.md's table).</summary>
public static class Policies
{
    /// <summary>Admin only: secrets, recurring jobs, erasure, export, audit.</summary>
    public const string Admin = "botflow.admin";

    /// <summary>Changing flows and fields, preview/test: admin and editor.</summary>
    public const string Edit = "botflow.edit";

    /// <summary>Reading configuration: admin, editor, viewer.</summary>
    public const string Read = "botflow.read";

    /// <summary>The conversation endpoints: admin, editor, channel.</summary>
    public const string Converse = "botflow.converse";

    /// <summary>Reading a contact: everyone with a role.</summary>
    public const string ReadContact = "botflow.read-contact";

    /// <summary>Any signed-in user or key (who am I, sign out).</summary>
    public const string Authenticated = "botflow.authenticated";
}
