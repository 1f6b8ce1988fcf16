using BotFlow.Plugins.Integration.Body;
using CsCheck;

namespace BotFlow.Plugins.Integration.Tests.Body;

/// <summary>Any rows at all — random keys of brackets, digits, unicode, huge indexes — give either a body or errors naming real rows, never an exception.</summary>
public sealed class BodyBuilderPropertyTests
{
    private static readonly Gen<string> Segment = Gen.OneOf(
        Gen.Int[0, 3].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.OneOf("", "-1", "01", "1000000", "999", "__proto__", "constructor", "ação", "a b", "[", "]", "[]", "x"),
        Gen.String[Gen.Char["ab[]0é"], 0, 4]);

    private static readonly Gen<string> Key = Gen.OneOf(
        Gen.Select(Gen.OneOf("a", "b", "deal", "contacts", "", " ", "[x]", "a]b", "ñ"), Segment.Array[0, 4],
            (name, segments) => name + string.Concat(segments.Select(s => s == "[]" ? "[]" : "[" + s + "]"))),
        Gen.String[Gen.Char["ab[]01 "], 0, 12]);

    private static readonly Gen<BodyRow> Row = Gen.Select(Key, Gen.OneOf<string?>(null, "string", "number", "boolean", "null", "json", "weird"), Gen.String[0, 6],
        (key, type, value) => new BodyRow(key, value, type));

    [Fact]
    public void Random_rows_never_throw_and_errors_name_existing_rows()
    {
        Row.List[0, 8].Sample(rows =>
        {
            var result = BodyBuilder.Build(rows);
            Assert.True(result.Succeeded || result.Errors.Count > 0);
            Assert.All(result.Errors, e => Assert.InRange(e.Row, 0, rows.Count - 1));
            if (result.Succeeded)
            {
                Assert.Empty(result.Errors);
            }

            // A plan compiled once gives the same result on every run.
            var plan = BodyPlan.Compile([.. rows.Select(r => r.Key)]);
            var again = plan.Build(rows);
            Assert.Equal(result.Text, again.Text);
            Assert.Equal(result.Errors, again.Errors);
            Assert.Equal(result.Text, plan.Build(rows).Text);
        }, iter: 20_000);
    }

    [Fact]
    public void Form_mode_never_throws_on_random_rows()
    {
        Row.List[0, 8].Sample(rows => Assert.Equal(rows.Count, BodyBuilder.BuildForm(rows).Count), iter: 5_000);
    }
}
