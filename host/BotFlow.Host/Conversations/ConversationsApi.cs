using System.Text.RegularExpressions;
using BotFlow.Host.Contacts;
using BotFlow.Host.Errors;
using BotFlow.Host.Flows;
using BotFlow.Host.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Newtonsoft.Json.Linq;

namespace BotFlow.Host.Conversations;

public static partial class ConversationsApi
{
    public sealed record MessageInput(string? Text, Dictionary<string, string?>? Fields)
    {
        /// <summary>
        /// The message when it has the ordinary shape (<c>text</c> a string, <c>fields</c> an object of strings, names
        /// as documented); anything else (numbers, other spellings, nested values) goes through the serializer, whose
        /// conversions and error messages stay what they were.
        /// </summary>
        internal static MessageInput? FromOrdinaryShape(JObject body)
        {
            string? text = null;
            Dictionary<string, string?>? fields = null;
            foreach (var property in body.Properties())
            {
                switch (property.Name)
                {
                    case "text" when property.Value.Type is JTokenType.String or JTokenType.Null:
                        text = (string?)property.Value;
                        break;
                    case "fields" when property.Value.Type == JTokenType.Null:
                        fields = null;
                        break;
                    case "fields" when property.Value is JObject map:
                        fields = new Dictionary<string, string?>(map.Count);
                        foreach (var field in map.Properties())
                        {
                            if (field.Value.Type is not (JTokenType.String or JTokenType.Null))
                            {
                                return null;
                            }

                            fields[field.Name] = (string?)field.Value;
                        }

                        break;
                    case var name when name.Equals("text", StringComparison.OrdinalIgnoreCase) || name.Equals("fields", StringComparison.OrdinalIgnoreCase):
                        return null;
                }
            }

            return new MessageInput(text, fields);
        }
    }

    public sealed record ReplyDto(string Text);

    public sealed record MessageAnswer(IReadOnlyList<ReplyDto> Replies, string Status, string? BlockId, string? Department, string ConversationId,
        IReadOnlyList<string>? Errors);

    [GeneratedRegex(@"^[A-Za-z0-9_.@+:-]{1,128}$")]
    public static partial Regex ContactIdPattern();

    public static RouteGroupBuilder MapConversations(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/flows/{flowId}/conversations/{contactId}").WithTags("Conversations").RequireAuthorization(Policies.Converse);
        group.MapPost("/messages", PostMessage).WithSummary("Send a contact's message to a flow (the built-in test channel)")
            .Accepts<MessageInput>("application/json").ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/restart", Restart).WithSummary("Start the flow over for the contact");
        return group;
    }

    private static async Task<Results<Ok<MessageAnswer>, ProblemHttpResult>> PostMessage(
        string flowId, string contactId, HttpRequest request, ConversationRunner runner, IOptions<ConversationsOptions> options, CancellationToken ct)
    {
        if (!ContactIdPattern().IsMatch(contactId))
        {
            return Problems.Invalid("contactId", "a contact id is 1 to 128 characters of letters, digits and _ . @ + : -");
        }

        var (input, problem) = await JsonBody.ReadAsync(request, ct, direct: MessageInput.FromOrdinaryShape);
        if (input is null)
        {
            return problem.Value!;
        }

        if (input.Text is null)
        {
            return Problems.Invalid("text", "'text' is required");
        }

        if (input.Text.Length > options.Value.MaxTextLength)
        {
            return Problems.Invalid("text", $"a message has at most {options.Value.MaxTextLength} characters; this one has {input.Text.Length}");
        }

        if (input.Text.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t'))
        {
            return Problems.Invalid("text", "the text contains control characters");
        }

        return await RunAsync(flowId, contactId, input.Text, input.Fields, restart: false, runner, ct);
    }

    private static async Task<Results<Ok<MessageAnswer>, ProblemHttpResult>> Restart(string flowId, string contactId, ConversationRunner runner, CancellationToken ct)
    {
        if (!ContactIdPattern().IsMatch(contactId))
        {
            return Problems.Invalid("contactId", "a contact id is 1 to 128 characters of letters, digits and _ . @ + : -");
        }

        return await RunAsync(flowId, contactId, null, null, restart: true, runner, ct);
    }

    private static async Task<Results<Ok<MessageAnswer>, ProblemHttpResult>> RunAsync(
        string flowId, string contactId, string? text, IReadOnlyDictionary<string, string?>? fields, bool restart, ConversationRunner runner, CancellationToken ct)
    {
        try
        {
            var (result, refusal, problems) = await runner.HandleAsync(flowId, contactId, text, fields, restart, ct);
            return refusal switch
            {
                ConversationRefusal.FlowNotFound => Problems.NotFound($"there is no flow '{flowId}'"),
                ConversationRefusal.InvalidFields => Problems.Invalid("Some fields are not valid; nothing was stored.",
                    problems.Select(p => new FlowError(null, p.Field, p.Message)).ToList()),
                _ => TypedResults.Ok(new MessageAnswer(result!.Replies.Select(r => new ReplyDto(r.Text)).ToList(), result.Status, result.BlockId,
                    result.Department, result.ConversationId, result.Errors)),
            };
        }
        catch (FlowUnavailableException ex)
        {
            return Problems.Unavailable(ex.Message);
        }
    }
}
