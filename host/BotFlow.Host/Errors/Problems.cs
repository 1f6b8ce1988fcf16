using BotFlow.Host.Flows;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BotFlow.Host.Errors;

/// <summary>
/// Every error answer is an RFC 7807 ProblemDetails built here, with an <c>errors</c> list of
/// <c>{ blockId, path, message }</c> so a client always finds the field, the block and what is wrong in one place.
/// </summary>
public static class Problems
{
    public static ProblemHttpResult Invalid(string title, IReadOnlyList<FlowError> errors, IReadOnlyList<FlowError>? warnings = null) =>
        TypedResults.Problem(
            title: title,
            detail: errors.Count == 1 ? Describe(errors[0]) : $"{errors.Count} problems: " + string.Join("; ", errors.Take(5).Select(Describe)),
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["errors"] = errors, ["warnings"] = warnings ?? [] });

    public static ProblemHttpResult Invalid(string path, string message) => Invalid("The request is not valid.", [new FlowError(null, path, message)]);

    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(title: "Not found.", detail: what, statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult Conflict(string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(title: "Conflict.", detail: detail, statusCode: StatusCodes.Status409Conflict, extensions: extensions);

    public static ProblemHttpResult TooLarge(string path, long limit) =>
        TypedResults.Problem(title: "The request body is too large.", detail: $"{path}: at most {limit} bytes are accepted",
            statusCode: StatusCodes.Status413PayloadTooLarge,
            extensions: new Dictionary<string, object?> { ["errors"] = new[] { new FlowError(null, path, $"at most {limit} bytes") } });

    public static ProblemHttpResult Unavailable(string detail) =>
        TypedResults.Problem(title: "Temporarily unavailable.", detail: detail, statusCode: StatusCodes.Status503ServiceUnavailable);

    private static string Describe(FlowError e) => e.BlockId is null ? $"{e.Path}: {e.Message}" : $"block '{e.BlockId}' {e.Path}: {e.Message}";
}
