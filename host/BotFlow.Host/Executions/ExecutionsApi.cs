using BotFlow.Host.Errors;
using BotFlow.Host.Security;
using BotFlow.Sdk.Executions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BotFlow.Host.Executions;

public static class ExecutionsApi
{
    public static RouteGroupBuilder MapExecutions(this IEndpointRouteBuilder routes)
    {
        var executions = routes.MapGroup("/executions").WithTags("Integrations");
        executions.MapGet("/", List).RequireAuthorization(Policies.Read).WithSummary("Integration runs, newest first (requests masked, responses truncated)");
        return executions;
    }

    private static async Task<Results<Ok<IReadOnlyList<ExecutionRecord>>, ProblemHttpResult>> List(
        IExecutionStore store, CancellationToken ct, string? flowId = null, string? contactId = null, string? outcome = null, string? executionId = null, int limit = 50)
    {
        if (limit is < 1 or > 1000)
        {
            return Problems.Invalid("limit", "limit is 1 to 1000");
        }

        if (outcome is not null and not "success" and not "failure")
        {
            return Problems.Invalid("outcome", "outcome is 'success' or 'failure'");
        }

        return TypedResults.Ok(await store.ListAsync(new ExecutionFilter(flowId, contactId, outcome, executionId, limit), ct));
    }
}
