using System.Buffers;

namespace BotFlow.Sdk.Data;

/// <summary>
/// How BotFlow escapes text inside a JSON string: the characters Newtonsoft.Json escapes by default
/// (<c>StringEscapeHandling.Default</c>) and the escape it writes for each. Every writer that must produce the text
/// Newtonsoft would (the host's stored JSON, a request body a plugin sends) uses this one rule, so they cannot drift
/// apart.
/// </summary>
public static class JsonStringEscapes
{
    // Control characters, the quote, the backslash, and the three line terminators JavaScript does not allow in a
    // string literal.
    private static readonly SearchValues<char> Escaped = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\"\\\u0085\u2028\u2029");

    // Made once: \u and four lower-case hex digits for every control character without a short form.
    private static readonly string[] ControlEscapes = Enumerable.Range(0, 32).Select(c => $"\\u{c:x4}").ToArray();

    /// <summary>Where the first character that must be escaped is in <paramref name="text"/>, or -1 when none is.</summary>
    /// <param name="text">Text to be written inside a JSON string.</param>
    public static int IndexOfEscaped(ReadOnlySpan<char> text) => text.IndexOfAny(Escaped);

    /// <summary>
    /// The escape written for <paramref name="c"/>, a character <see cref="IndexOfEscaped"/> finds: the short form where
    /// JSON has one (<c>\"</c>, <c>\\</c>, <c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\b</c>, <c>\f</c>), else <c>\u</c> and four
    /// lower-case hex digits.
    /// </summary>
    /// <param name="c">A character that must be escaped.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="c"/> is written as it is.</exception>
    public static string Escape(char c) => c switch
    {
        '"' => "\\\"",
        '\\' => "\\\\",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        '\b' => "\\b",
        '\f' => "\\f",
        < ' ' => ControlEscapes[c],
        '\u0085' => "\\u0085",
        '\u2028' => "\\u2028",
        '\u2029' => "\\u2029",
        _ => throw new ArgumentOutOfRangeException(nameof(c), c, "the character is written as it is, not escaped"),
    };
}
