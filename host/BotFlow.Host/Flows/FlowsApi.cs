using BotFlow.Host.Errors;
using BotFlow.Host.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BotFlow.Host.Flows;

public static class FlowsApi
{
    public sealed record FlowSummary(string Id, string Name, int Version, DateTimeOffset UpdatedAt);

    public sealed record ValidationAnswer(bool Valid, IReadOnlyList<FlowError> Errors, IReadOnlyList<FlowError> Warnings);

    public static RouteGroupBuilder MapFlows(this IEndpointRouteBuilder routes)
    {
        var flows = routes.MapGroup("/flows").WithTags("Flows");
        flows.MapGet("/", ListFlows).RequireAuthorization(Policies.Read).WithSummary("List flows");
        flows.MapGet("/{id}", GetFlow).RequireAuthorization(Policies.Read).WithSummary("Get a flow document (latest version)");
        flows.MapPut("/{id}", SaveFlow).RequireAuthorization(Policies.Edit).WithSummary("Create or replace a flow")
            .Accepts<object>("application/json").ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        flows.MapPost("/{id}/validate", ValidateFlow).RequireAuthorization(Policies.Edit).WithSummary("Validate a flow document without saving it")
            .Accepts<object>("application/json");
        flows.MapDelete("/{id}", DeleteFlow).RequireAuthorization(Policies.Edit).WithSummary("Delete a flow (running conversations keep their version)");
        return flows;
    }

    private static async Task<Ok<List<FlowSummary>>> ListFlows(IFlowStore store, CancellationToken ct) =>
        TypedResults.Ok((await store.ListAsync(ct)).Select(f => new FlowSummary(f.Id, f.Name, f.Version, f.UpdatedAt)).ToList());

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetFlow(string id, IFlowStore store, HttpContext http, CancellationToken ct)
    {
        var flow = await store.GetAsync(id, ct);
        if (flow is null)
        {
            return Problems.NotFound($"there is no flow '{id}'");
        }

        http.Response.Headers.ETag = $"\"{flow.Version}\"";
        http.Response.Headers["X-Flow-Version"] = flow.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Content(flow.Document, "application/json");
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> SaveFlow(
        string id, HttpRequest request, FlowService service, IOptions<FlowsOptions> options, CancellationToken ct)
    {
        if (!FlowValidator.IdPattern().IsMatch(id))
        {
            return Problems.Invalid("id", "a flow id is 1 to 64 characters of a-z, 0-9, '-' and '_'");
        }

        var (body, problem) = await JsonBody.ReadAsync(request, options.Value.MaxDocumentBytes, ct);
        if (body is null)
        {
            return problem.Value!;
        }

        var (validation, saved) = await service.SaveAsync(body, id, ct);
        if (saved is null)
        {
            return Problems.Invalid($"The flow '{id}' has {validation.Errors.Count} problem(s).", validation.Errors, validation.Warnings);
        }

        request.HttpContext.Response.Headers["X-Flow-Version"] = saved.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Content(saved.Document, "application/json");
    }

    private static async Task<Results<Ok<ValidationAnswer>, ProblemHttpResult>> ValidateFlow(
        string id, HttpRequest request, FlowService service, IOptions<FlowsOptions> options, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync(request, options.Value.MaxDocumentBytes, ct);
        if (body is null)
        {
            return problem.Value!;
        }

        var validation = await service.ValidateAsync(body, id, ct);
        if (!validation.IsValid)
        {
            return Problems.Invalid($"The flow '{id}' has {validation.Errors.Count} problem(s).", validation.Errors, validation.Warnings);
        }

        return TypedResults.Ok(new ValidationAnswer(true, [], validation.Warnings));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteFlow(string id, IFlowStore store, CancellationToken ct) =>
        await store.DeleteAsync(id, ct) ? TypedResults.NoContent() : Problems.NotFound($"there is no flow '{id}'");
}
