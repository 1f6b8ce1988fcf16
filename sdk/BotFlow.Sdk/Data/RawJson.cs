using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BotFlow.Sdk.Data;

/// <summary>
/// One JSON value already written, kept as its UTF-8 bytes: a value in plain data that the host writes out as it is
/// (stored documents, API answers) instead of walking a copy of it made of maps and lists. The Integration block keeps
/// the JSON body it sent this way in its execution record, so the body is not built a second time as plain data.
/// </summary>
/// <remarks>
/// The bytes must be exactly one valid JSON value and must not change afterwards: they are written without being
/// parsed again on the host's storage path (API answers check them). Templates and scripts never receive one.
/// </remarks>
[JsonConverter(typeof(RawJsonConverter))]
public sealed class RawJson
{
    /// <summary>Wraps <paramref name="utf8"/>, which the caller no longer changes.</summary>
    /// <param name="utf8">One JSON value in UTF-8.</param>
    public RawJson(ReadOnlyMemory<byte> utf8) => Utf8 = utf8;

    /// <summary>The JSON value in UTF-8.</summary>
    public ReadOnlyMemory<byte> Utf8 { get; }

    /// <summary>The JSON text.</summary>
    /// <returns>The bytes decoded as UTF-8.</returns>
    public override string ToString() => Encoding.UTF8.GetString(Utf8.Span);
}

/// <summary>Writes a <see cref="RawJson"/> as the JSON it holds (and reads any JSON value into one).</summary>
public sealed class RawJsonConverter : JsonConverter<RawJson>
{
    /// <inheritdoc />
    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return new RawJson(JsonSerializer.SerializeToUtf8Bytes(document.RootElement));
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) => writer.WriteRawValue(value.Utf8.Span);
}
