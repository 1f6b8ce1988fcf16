using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace BotFlow.Host.Conversations;

/// <summary>
/// The 200 answer to a conversation message, written straight into the response with a <see cref="Utf8JsonWriter"/>:
/// every message of every channel ends here, and the serializer's converter walk over the answer's records was ~1% of a
/// boleto request (docs/benchmarks.md, "Thirteenth pass"). The text is the serializer's for the same record under the
/// host's JSON options — camel-case names in declaration order, nulls written, the options' encoder (a test compares
/// them) — and the endpoint's metadata still says it answers a <see cref="ConversationsApi.MessageAnswer"/>.
/// </summary>
public sealed class MessageAnswerResult(ConversationsApi.MessageAnswer answer)
    : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<ConversationsApi.MessageAnswer>, IEndpointMetadataProvider
{
    public ConversationsApi.MessageAnswer Value => answer;

    object? IValueHttpResult.Value => answer;

    public int? StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        var encoder = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions.Encoder;
        using (var json = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { Encoder = encoder, SkipValidation = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("replies"u8);
            foreach (var reply in answer.Replies)
            {
                json.WriteStartObject();
                json.WriteString("text"u8, reply.Text);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("status"u8, answer.Status);
            json.WriteString("blockId"u8, answer.BlockId);
            json.WriteString("department"u8, answer.Department);
            json.WriteString("conversationId"u8, answer.ConversationId);
            if (answer.Errors is null)
            {
                json.WriteNull("errors"u8);
            }
            else
            {
                json.WriteStartArray("errors"u8);
                foreach (var error in answer.Errors)
                {
                    json.WriteStringValue(error);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        var flushed = response.BodyWriter.FlushAsync();
        return flushed.IsCompletedSuccessfully ? Task.CompletedTask : flushed.AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(ConversationsApi.MessageAnswer), ["application/json"]));
}
