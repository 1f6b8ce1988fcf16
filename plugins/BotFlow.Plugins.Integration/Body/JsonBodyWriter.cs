using System.Buffers;
using System.Globalization;
using System.Text;
using BotFlow.Sdk.Data;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace BotFlow.Plugins.Integration.Body;

/// <summary>
/// Compact JSON written straight to UTF-8 into a pooled buffer, byte for byte what Newtonsoft's <see cref="JsonTextWriter"/>
/// (default settings, <see cref="Formatting.None"/>) writes and <c>Encoding.UTF8</c> encodes — the text
/// <c>JObject.ToString(Formatting.None)</c> gave for a request body. Strings, booleans, whole numbers and decimals, what
/// nearly every body holds, are written here; doubles, big integers and JSON rows are written by Newtonsoft itself.
/// </summary>
/// <remarks>
/// Replaces a <see cref="JsonTextWriter"/> over a pooled text writer and the copy to UTF-8 at the end: the writer, its
/// state stack and the text writer were a third of what building a body allocated.
/// </remarks>
internal sealed class JsonBodyWriter(int capacity) : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(capacity);
    private int _length;

    public void StartObject() => Byte((byte)'{');

    public void EndObject() => Byte((byte)'}');

    public void StartArray() => Byte((byte)'[');

    public void EndArray() => Byte((byte)']');

    /// <summary>The comma between two members or items.</summary>
    public void Separator() => Byte((byte)',');

    public void PropertyName(string name)
    {
        String(name);
        Byte((byte)':');
    }

    /// <summary>A value as <see cref="JsonTextWriter.WriteValue(object)"/> writes it (a JSON row's token as it is).</summary>
    public void Value(object? value)
    {
        switch (value)
        {
            case null:
                Ascii("null");
                return;
            case string s:
                String(s);
                return;
            case bool b:
                Ascii(b ? "true" : "false");
                return;
            case long l:
                _length += Format(l, Reserve(20));
                return;
            case decimal d:
                // JsonConvert.ToString(decimal): the invariant text, with ".0" when it has no decimal point.
                var written = Format(d, Reserve(32));
                var text = _buffer.AsSpan(_length, written);
                _length += written;
                if (text.IndexOf((byte)'.') < 0)
                {
                    Ascii(".0");
                }

                return;
            case JToken token:
                Utf8(token.ToString(Formatting.None));
                return;
            default:
                // double, float, ulong, BigInteger: rare in a body; Newtonsoft's own text for them.
                Utf8(JsonConvert.ToString(value));
                return;
        }
    }

    /// <summary>A quoted string, escaped as Newtonsoft escapes it by default (<see cref="JsonStringEscapes"/>).</summary>
    public void String(string value)
    {
        Byte((byte)'"');
        var rest = value.AsSpan();
        int next;
        while ((next = JsonStringEscapes.IndexOfEscaped(rest)) >= 0)
        {
            // Never inside a surrogate pair: every escaped character is a single UTF-16 unit.
            Utf8(rest[..next]);
            Ascii(JsonStringEscapes.Escape(rest[next]));
            rest = rest[(next + 1)..];
        }

        Utf8(rest);
        Byte((byte)'"');
    }

    /// <summary>The bytes written, in an array of their own (the request keeps them for every try).</summary>
    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private static int Format(long value, Span<byte> into) =>
        value.TryFormat(into, out var written, default, CultureInfo.InvariantCulture) ? written : throw new InvalidOperationException("no room for a number");

    private static int Format(decimal value, Span<byte> into) =>
        value.TryFormat(into, out var written, default, CultureInfo.InvariantCulture) ? written : throw new InvalidOperationException("no room for a number");

    private void Utf8(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return;
        }

        // A lone surrogate becomes U+FFFD, as Encoding.UTF8 turned the whole text before.
        _length += Encoding.UTF8.GetBytes(text, Reserve(Encoding.UTF8.GetMaxByteCount(text.Length)));
    }

    private void Ascii(string text)
    {
        var into = Reserve(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            into[i] = (byte)text[i];
        }

        _length += text.Length;
    }

    private void Byte(byte b)
    {
        Reserve(1)[0] = b;
        _length++;
    }

    /// <summary>Room for <paramref name="count"/> more bytes at the end.</summary>
    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + count));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return _buffer.AsSpan(_length);
    }
}
