using System.Security.Claims;
using BotFlow.Host.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace BotFlow.Host.Tests.Security;

public sealed class RolePolicyEvaluatorTests
{
    private static readonly AuthorizationPolicy EditorsOrAdmins = new AuthorizationPolicyBuilder().RequireRole(Roles.Admin, Roles.Editor).Build();

    [Fact]
    public async Task A_caller_with_one_of_the_roles_is_allowed_like_the_framework_allows_it()
    {
        var (context, evaluator) = Arrange(Caller(Roles.Editor));

        var result = await evaluator.AuthorizeAsync(EditorsOrAdmins, AuthenticateResult.Success(new AuthenticationTicket(context.User, "test")), context, context);
        var framework = await new PolicyEvaluator(context.RequestServices.GetRequiredService<IAuthorizationService>())
            .AuthorizeAsync(EditorsOrAdmins, AuthenticateResult.Success(new AuthenticationTicket(context.User, "test")), context, context);

        Assert.True(result.Succeeded);
        Assert.True(framework.Succeeded);
    }

    [Fact]
    public async Task A_caller_without_the_role_gets_the_frameworks_forbid_and_an_anonymous_one_its_challenge()
    {
        var (viewer, evaluator) = Arrange(Caller(Roles.Viewer));
        var forbidden = await evaluator.AuthorizeAsync(EditorsOrAdmins, AuthenticateResult.Success(new AuthenticationTicket(viewer.User, "test")), viewer, viewer);

        var (anonymous, _) = Arrange(new ClaimsPrincipal(new ClaimsIdentity()));
        var challenged = await evaluator.AuthorizeAsync(EditorsOrAdmins, AuthenticateResult.NoResult(), anonymous, anonymous);

        Assert.True(forbidden.Forbidden);
        Assert.NotNull(forbidden.AuthorizationFailure);
        Assert.True(challenged.Challenged);
    }

    [Fact]
    public async Task A_handler_added_by_the_application_still_takes_part_even_when_the_roles_match()
    {
        var (context, evaluator) = Arrange(Caller(Roles.Admin), services => services.AddSingleton<IAuthorizationHandler, RefuseEverything>());

        var result = await evaluator.AuthorizeAsync(EditorsOrAdmins, AuthenticateResult.Success(new AuthenticationTicket(context.User, "test")), context, context);

        Assert.True(result.Forbidden);
    }

    [Fact]
    public async Task A_requirement_of_another_kind_is_judged_by_the_authorization_service()
    {
        var (context, evaluator) = Arrange(Caller(Roles.Admin));
        var adminsOnMondays = new AuthorizationPolicyBuilder().RequireRole(Roles.Admin).RequireAssertion(_ => false).Build();

        var result = await evaluator.AuthorizeAsync(adminsOnMondays, AuthenticateResult.Success(new AuthenticationTicket(context.User, "test")), context, context);

        Assert.False(RolePolicyEvaluator.AllMet(adminsOnMondays.Requirements, context.User));
        Assert.True(result.Forbidden);
    }

    [Fact]
    public async Task Authentication_for_a_policy_without_schemes_is_what_the_middleware_found()
    {
        var (context, evaluator) = Arrange(Caller(Roles.Admin));
        var found = AuthenticateResult.Success(new AuthenticationTicket(context.User, ApiKeyAuthenticationHandler.SchemeName));
        context.Features.Set<IAuthenticateResultFeature>(new ResultFeature(found));

        Assert.Same(found, await evaluator.AuthenticateAsync(EditorsOrAdmins, context));
    }

    private static ClaimsPrincipal Caller(string role) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "caller"), new Claim(ClaimTypes.Role, role)], "test"));

    private static (HttpContext Context, IPolicyEvaluator Evaluator) Arrange(ClaimsPrincipal user, Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection().AddLogging().AddAuthorization();
        configure?.Invoke(services);
        services.AddSingleton<IPolicyEvaluator, RolePolicyEvaluator>();
        var provider = services.BuildServiceProvider();
        return (new DefaultHttpContext { User = user, RequestServices = provider }, provider.GetRequiredService<IPolicyEvaluator>());
    }

    private sealed class RefuseEverything : IAuthorizationHandler
    {
        public Task HandleAsync(AuthorizationHandlerContext context)
        {
            context.Fail();
            return Task.CompletedTask;
        }
    }

    private sealed class ResultFeature(AuthenticateResult result) : IAuthenticateResultFeature
    {
        public AuthenticateResult? AuthenticateResult { get; set; } = result;
    }
}
