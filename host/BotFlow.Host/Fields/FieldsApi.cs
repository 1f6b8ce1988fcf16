using BotFlow.Host.Errors;
using BotFlow.Host.Flows;
using BotFlow.Host.Security;
using BotFlow.Sdk.Fields;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BotFlow.Host.Fields;

public static class FieldsApi
{
    public sealed record FieldInput(string? Label, string? Type, List<string>? Options);

    public static RouteGroupBuilder MapFields(this IEndpointRouteBuilder routes)
    {
        var fields = routes.MapGroup("/fields").WithTags("Registration fields");
        fields.MapGet("/", ListFields).RequireAuthorization(Policies.Read).WithSummary("List registration fields (built-in ones included)");
        fields.MapPut("/{key}", PutField).RequireAuthorization(Policies.Edit).WithSummary("Create or change a registration field").Accepts<FieldInput>("application/json");
        fields.MapDelete("/{key}", DeleteField).RequireAuthorization(Policies.Edit).WithSummary("Delete a field (409 while a saved flow uses it)");
        return fields;
    }

    private static async Task<Ok<IReadOnlyList<FieldDefinition>>> ListFields(FieldService service, CancellationToken ct) =>
        TypedResults.Ok(await service.ListAsync(ct));

    private static async Task<Results<Ok<FieldDefinition>, ProblemHttpResult>> PutField(string key, HttpRequest request, FieldService service, CancellationToken ct)
    {
        var (input, problem) = await JsonBody.ReadAsync<FieldInput>(request, ct);
        if (input is null)
        {
            return problem.Value!;
        }

        var problems = FieldService.Check(key, input.Label, input.Type, input.Options);
        if (problems.Count > 0)
        {
            return Problems.Invalid($"The field '{key}' is not valid.", problems.Select(p => new FlowError(null, p.Field, p.Message)).ToList());
        }

        var field = new FieldDefinition(key, input.Label!.Trim(), input.Type!, input.Type == FieldTypes.Option ? input.Options : null);
        await service.UpsertAsync(field, ct);
        return TypedResults.Ok(field);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteField(string key, FieldService service, CancellationToken ct)
    {
        if (key is "name" or "phone")
        {
            return Problems.Conflict($"'{key}' is a built-in field and cannot be deleted");
        }

        var (deleted, usedBy) = await service.DeleteAsync(key, ct);
        if (usedBy.Count > 0)
        {
            return Problems.Conflict($"the field '{key}' is used by flow(s) {string.Join(", ", usedBy)}; change those flows first",
                new Dictionary<string, object?> { ["flows"] = usedBy });
        }

        return deleted ? TypedResults.NoContent() : Problems.NotFound($"there is no field '{key}'");
    }
}
