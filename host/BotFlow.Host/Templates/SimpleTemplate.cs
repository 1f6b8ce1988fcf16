using System.Text;
using System.Text.RegularExpressions;

namespace BotFlow.Host.Templates;

/// <summary>
/// Most templates admins write are text with a few <c>{{ contact.name }}</c> or <c>{data[url]}</c> holes. Those render
/// here by looking the paths up in the scope, without a Scriban <see cref="Scriban.TemplateContext"/> (about 20 KB of
/// allocation per render, the largest single cost of a step: docs/benchmarks.md). Only text values are inserted here;
/// a number, list, missing dictionary or anything else makes <see cref="TryRender"/> answer <c>false</c> and Scriban
/// renders it, so the output is always what Scriban gives (the engine also compares both once per template).
/// </summary>
internal sealed partial class SimpleTemplate
{
    private readonly string[] _literals;
    private readonly string[][] _paths;

    private SimpleTemplate(string[] literals, string[][] paths)
    {
        _literals = literals;
        _paths = paths;
    }

    [GeneratedRegex(@"^\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*$")]
    private static partial Regex PathPattern();

    private static readonly HashSet<string> Roots = new(StringComparer.Ordinal) { "contact", "vars", "response", "secrets" };

    /// <summary>The text as literals and member paths, or <c>null</c> when any code block is more than a path.</summary>
    public static SimpleTemplate? TryCompile(string scriban)
    {
        var literals = new List<string>();
        var paths = new List<string[]>();
        var i = 0;
        while (true)
        {
            var open = scriban.IndexOf("{{", i, StringComparison.Ordinal);
            var literal = open < 0 ? scriban[i..] : scriban[i..open];
            if (literal.Contains("}}", StringComparison.Ordinal) || literal.Contains("{%{", StringComparison.Ordinal))
            {
                return null;
            }

            literals.Add(literal);
            if (open < 0)
            {
                break;
            }

            var close = scriban.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                return null;
            }

            var match = PathPattern().Match(scriban, open + 2, close - open - 2);
            if (!match.Success)
            {
                return null;
            }

            var path = match.Groups[1].Value.Split('.');
            if (!Roots.Contains(path[0]) && !path[0].StartsWith(Placeholders.VariablePrefix, StringComparison.Ordinal))
            {
                return null;
            }

            paths.Add(path);
            i = close + 2;
        }

        return paths.Count == 0 ? null : new SimpleTemplate([.. literals], [.. paths]);
    }

    /// <summary>Renders when every hole holds text (or nothing); <c>false</c> leaves the render to Scriban.</summary>
    public bool TryRender(Sdk.Templates.TemplateScope scope, IReadOnlyList<string>? placeholderValues, int outputLimit, out string text)
    {
        text = "";
        var values = new string[_paths.Length];
        var length = 0;
        for (var p = 0; p < _paths.Length; p++)
        {
            if (!TryResolve(_paths[p], scope, placeholderValues, out var value))
            {
                return false;
            }

            values[p] = value;
            length += value.Length + _literals[p].Length;
        }

        length += _literals[^1].Length;
        if (length > outputLimit)
        {
            return false;
        }

        text = string.Create(length, (_literals, values), static (span, state) =>
        {
            var at = 0;
            for (var p = 0; p < state.values.Length; p++)
            {
                state._literals[p].AsSpan().CopyTo(span[at..]);
                at += state._literals[p].Length;
                state.values[p].AsSpan().CopyTo(span[at..]);
                at += state.values[p].Length;
            }

            state._literals[^1].AsSpan().CopyTo(span[at..]);
        });
        return true;
    }

    private static bool TryResolve(string[] path, Sdk.Templates.TemplateScope scope, IReadOnlyList<string>? placeholderValues, out string value)
    {
        value = "";
        if (scope.Extra?.ContainsKey(path[0]) == true)
        {
            return false;
        }

        object? current;
        if (path[0] == "secrets")
        {
            // "Bearer {{ secrets.token }}" in a header: read through the scope so the value is masked like Scriban's read.
            // Not available, not defined or a deeper path: Scriban renders it and gives the error.
            if (path.Length != 2 || scope.Secrets?.Invoke(path[1]) is not { } secret)
            {
                return false;
            }

            value = secret;
            return true;
        }

        if (path[0].StartsWith(Placeholders.VariablePrefix, StringComparison.Ordinal))
        {
            if (path.Length > 1 || placeholderValues is null || !int.TryParse(path[0].AsSpan(Placeholders.VariablePrefix.Length), out var index)
                || index >= placeholderValues.Count)
            {
                return false;
            }

            current = placeholderValues[index];
        }
        else
        {
            current = path[0] switch
            {
                "contact" => scope.Contact,
                "vars" => scope.Vars,
                _ => scope.Response,
            };
        }

        for (var m = 1; m < path.Length; m++)
        {
            switch (current)
            {
                case null:
                    // Scriban's relaxed member access: a member of nothing is nothing.
                    break;
                case IReadOnlyDictionary<string, object?> map:
                    current = map.TryGetValue(path[m], out var next) ? next : null;
                    break;
                default:
                    return false;
            }
        }

        switch (current)
        {
            case null:
                return true;
            case string s:
                value = s;
                return true;
            default:
                return false;
        }
    }
}
