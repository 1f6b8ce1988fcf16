using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http.Features.Authentication;

namespace BotFlow.Host.Security;

/// <summary>
/// The framework's policy evaluator with a shortcut for what every BotFlow request asks: does the caller have one of
/// these roles? When a policy holds only role and signed-in requirements, no authorization handler but the framework's
/// pass-through one is registered, and the caller meets every requirement, the answer is success without building
/// the authorization service, its handler context and handler list for the request. Anything else — a requirement not
/// met, another kind of requirement, a policy naming its own schemes, a handler added by the application — goes
/// through the framework's <see cref="PolicyEvaluator"/> unchanged, so refusals (401/403) are exactly the framework's.
/// </summary>
internal sealed class RolePolicyEvaluator(IEnumerable<IAuthorizationHandler> handlers) : IPolicyEvaluator
{
    private static readonly Task<PolicyAuthorizationResult> Succeeded = Task.FromResult(PolicyAuthorizationResult.Success());

    // Requirements decide alone only when nothing else takes part in authorization: another handler could fail them.
    private readonly bool _requirementsDecide = handlers.All(h => h.GetType() == typeof(PassThroughAuthorizationHandler));

    /// <summary>
    /// A policy naming no schemes uses what the authentication middleware found, as the framework's evaluator does
    /// (its lines, without making the authorization service that this step never uses).
    /// </summary>
    public Task<AuthenticateResult> AuthenticateAsync(AuthorizationPolicy policy, HttpContext context) =>
        policy.AuthenticationSchemes.Count > 0
            ? Framework(context).AuthenticateAsync(policy, context)
            : Task.FromResult(context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult
                ?? (context.User?.Identity?.IsAuthenticated ?? false
                    ? AuthenticateResult.Success(new AuthenticationTicket(context.User, "context.User"))
                    : AuthenticateResult.NoResult()));

    public Task<PolicyAuthorizationResult> AuthorizeAsync(AuthorizationPolicy policy, AuthenticateResult authenticationResult, HttpContext context, object? resource) =>
        _requirementsDecide && policy.AuthenticationSchemes.Count == 0 && AllMet(policy.Requirements, context.User)
            ? Succeeded
            : Framework(context).AuthorizeAsync(policy, authenticationResult, context, resource);

    /// <summary>Whether the requirements are all of the two kinds judged here and <paramref name="user"/> meets each.</summary>
    internal static bool AllMet(IReadOnlyList<IAuthorizationRequirement> requirements, ClaimsPrincipal? user)
    {
        if (requirements.Count == 0 || user is null)
        {
            return false;
        }

        foreach (var requirement in requirements)
        {
            // Exact types: a subclass may judge differently.
            var met = requirement.GetType() == typeof(RolesAuthorizationRequirement)
                ? ((RolesAuthorizationRequirement)requirement).AllowedRoles.Any(user.IsInRole)
                : requirement.GetType() == typeof(DenyAnonymousAuthorizationRequirement) && user.Identities.Any(i => i.IsAuthenticated);
            if (!met)
            {
                return false;
            }
        }

        return true;
    }

    // The framework's evaluator is transient and cheap to make; the authorization service it uses is per request.
    private static PolicyEvaluator Framework(HttpContext context) => new(context.RequestServices.GetRequiredService<IAuthorizationService>());
}
