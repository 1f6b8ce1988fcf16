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
        /// The message read straight from the body's bytes when it is exactly the ordinary shape: an object with at most
        /// <c>text</c> (a string or null) and <c>fields</c> (null or an object of strings and nulls), each once, comments
        /// allowed. Anything else — another property, a repeated name, another type, malformed or trailing content —
        /// answers null and the body is read as before (<see cref="FromOrdinaryShape"/>, then the serializer), so every
        /// refusal keeps its message. Building a Newtonsoft object first was 3 KB and a tenth of a step's JSON work.
        /// </summary>
        internal static MessageInput? FromUtf8(ReadOnlySpan<byte> json)
        {
            try
            {
                var reader = new System.Text.Json.Utf8JsonReader(json, new System.Text.Json.JsonReaderOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip });
                if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
                {
                    return null;
                }

                string? text = null;
                Dictionary<string, string?>? fields = null;
                bool sawText = false, sawFields = false;
                while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
                {
                    if (!sawText && reader.ValueTextEquals("text"u8))
                    {
                        sawText = true;
                        reader.Read();
                        if (!TryReadText(ref reader, out text))
                        {
                            return null;
                        }
                    }
                    else if (!sawFields && reader.ValueTextEquals("fields"u8))
                    {
                        sawFields = true;
                        reader.Read();
                        if (reader.TokenType == System.Text.Json.JsonTokenType.Null)
                        {
                            continue;
                        }

                        if (reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
                        {
                            return null;
                        }

                        fields = new Dictionary<string, string?>();
                        while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
                        {
                            var name = reader.GetString()!;
                            reader.Read();
                            if (fields.ContainsKey(name) || !TryReadText(ref reader, out var value))
                            {
                                return null;
                            }

                            fields[name] = value;
                        }

                        if (reader.TokenType != System.Text.Json.JsonTokenType.EndObject)
                        {
                            return null;
                        }
                    }
                    else
                    {
                        return null;
                    }
                }

                // The object is closed and nothing but comments and white space follows it.
                return reader.TokenType == System.Text.Json.JsonTokenType.EndObject && !reader.Read() ? new MessageInput(text, fields) : null;
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
            {
                // Malformed, or text that is not valid UTF-8 or UTF-16 once unescaped: the ordinary reader decides.
                return null;
            }
        }

        private static bool TryReadText(ref System.Text.Json.Utf8JsonReader reader, out string? value)
        {
            value = null;
            switch (reader.TokenType)
            {
                case System.Text.Json.JsonTokenType.Null:
                    return true;
                case System.Text.Json.JsonTokenType.String:
                    value = reader.GetString();
                    return true;
                default:
                    return false;
            }
        }

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

    private static async Task<Results<MessageAnswerResult, ProblemHttpResult>> PostMessage(
        string flowId, string contactId, HttpRequest request, ConversationRunner runner, IOptions<ConversationsOptions> options, CancellationToken ct)
    {
        if (!ContactIdPattern().IsMatch(contactId))
        {
            return Problems.Invalid("contactId", "a contact id is 1 to 128 characters of letters, digits and _ . @ + : -");
        }

        var (input, problem) = await JsonBody.ReadAsync(request, ct, direct: MessageInput.FromOrdinaryShape, fromUtf8: MessageInput.FromUtf8);
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

    private static async Task<Results<MessageAnswerResult, ProblemHttpResult>> Restart(string flowId, string contactId, ConversationRunner runner, CancellationToken ct)
    {
        if (!ContactIdPattern().IsMatch(contactId))
        {
            return Problems.Invalid("contactId", "a contact id is 1 to 128 characters of letters, digits and _ . @ + : -");
        }

        return await RunAsync(flowId, contactId, null, null, restart: true, runner, ct);
    }

    private static async Task<Results<MessageAnswerResult, ProblemHttpResult>> RunAsync(
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
                _ => new MessageAnswerResult(new MessageAnswer(result!.Replies.Select(r => new ReplyDto(r.Text)).ToList(), result.Status, result.BlockId,
                    result.Department, result.ConversationId, result.Errors)),
            };
        }
        catch (FlowUnavailableException ex)
        {
            return Problems.Unavailable(ex.Message);
        }
    }
}
