using System.Globalization;
using BotFlow.Sdk.Fields;

namespace BotFlow.Host.Fields;

/// <summary>
/// Validates and normalises registration field values (see "Registration fields" in the flow format): used when a
/// <c>question</c> stores the contact's answer and when a channel or the API upserts fields.
/// </summary>
/// <remarks>
/// <para>Every value is trimmed first; <c>null</c>, empty or white-space-only input is valid and clears the field.
/// Field types are matched without regard to case (<c>"CPF"</c> is <c>cpf</c>).</para>
/// <list type="bullet">
/// <item><c>text</c>: kept as typed (trimmed), at most <see cref="MaxTextLength"/> characters.</item>
/// <item><c>number</c>: an optional leading <c>+</c>/<c>-</c>, ASCII digits and the separators <c>.</c> and <c>,</c>.
/// When both separators appear, the last one is the decimal separator and the other groups thousands
/// (<c>1.234,56</c> and <c>1,234.56</c> are both 1234.56). When only one kind appears, a single occurrence is the decimal
/// separator (<c>150,50</c> and <c>150.50</c> are 150.50; so <c>1.234</c> is 1.234) and two or more occurrences group
/// thousands (<c>1.234.567</c> is 1234567). Thousands groups must be 1-3 digits then exactly 3 digits; the decimal
/// separator must be followed by at least one digit (<c>,5</c> is 0.5, <c>5,</c> is refused). Anything else (spaces,
/// exponents, currency symbols, <c>12,5x</c>) is refused. Stored as <see cref="decimal"/> text in invariant culture,
/// keeping the typed scale (<c>150,50</c> is stored <c>150.50</c>).</item>
/// <item><c>email</c>: exactly one <c>@</c>, a local part of 1-64 characters without spaces, quotes or brackets and
/// without leading, trailing or doubled dots, a domain of at least two dot-separated labels (letters, digits, hyphens;
/// a top-level label of 2+ characters, not all digits), at most 254 characters; stored lower-cased.</item>
/// <item><c>phone</c>: digits plus the separators <c>( ) - .</c> and white space, a <c>+</c> only before the first
/// digit; 10 to 13 digits (Brazilian numbers with or without 55 and the ninth digit); stored as digits only.</item>
/// <item><c>cpf</c>: 11 digits (<c>.</c>, <c>-</c> and spaces ignored), valid check digits, not all the same digit;
/// stored as 11 digits.</item>
/// <item><c>cnpj</c>: 14 characters (<c>.</c>, <c>/</c>, <c>-</c> and spaces ignored), valid check digits, not all the
/// same. The alphanumeric CNPJ (in use since July 2026) is accepted: the first 12 characters may be letters
/// (stored upper-case), the last two must be digits; a numeric CNPJ is stored as 14 digits.</item>
/// <item><c>date</c>: <c>yyyy-MM-dd</c> (also <c>yyyy-M-d</c>) or <c>dd/MM/yyyy</c> (also <c>d/M/yyyy</c>) with a
/// four-digit year, a real calendar date; stored as <c>yyyy-MM-dd</c>.</item>
/// <item><c>boolean</c>: <c>true/false</c>, <c>sim/não/nao</c>, <c>s/n</c>, <c>yes/no</c>, <c>y/n</c>, <c>1/0</c>,
/// <c>verdadeiro/falso</c>, without regard to case or accents; stored as <c>true</c>/<c>false</c>.</item>
/// <item><c>option</c>: one of the field's options without regard to case or accents, stored as the option's own
/// text; or the 1-based number of an option (<c>2</c> is the second), unless some option is itself a number, in which
/// case only the text matches.</item>
/// </list>
/// <para>Allocation-light: no regular expressions, scratch buffers on the stack, and the input string itself is
/// returned when it is already in normal form.</para>
/// </remarks>
internal static class FieldValueNormalizer
{
    /// <summary>The longest accepted <c>text</c> value, in UTF-16 characters.</summary>
    public const int MaxTextLength = 4096;

    /// <summary>The longest accepted e-mail address.</summary>
    public const int MaxEmailLength = 254;

    private const int MaxEmailLocalLength = 64;
    private const int MaxDomainLabelLength = 63;
    private const int MaxNumberLength = 64;
    private const int MinPhoneDigits = 10;
    private const int MaxPhoneDigits = 13;
    private const int CpfLength = 11;
    private const int CnpjLength = 14;

    private const string NumberExpected = "expected a number like 150.50 or 150,50";
    private const string EmailExpected = "expected an e-mail address like name@example.com";
    private const string PhoneExpected = "expected a phone number with 10 to 13 digits, area code included";
    private const string PhoneCharacters = "not a valid phone number: only digits, spaces and + ( ) - . are allowed";
    private const string CpfExpected = "expected a CPF with 11 digits, like 529.982.247-25";
    private const string CpfCheckDigits = "not a valid CPF: check digits do not match";
    private const string CpfRepeated = "not a valid CPF: all digits are the same";
    private const string CnpjExpected = "expected a CNPJ with 14 characters, like 11.222.333/0001-81";
    private const string CnpjCheckDigits = "not a valid CNPJ: check digits do not match";
    private const string CnpjRepeated = "not a valid CNPJ: all characters are the same";
    private const string DateExpected = "expected a date as dd/mm/yyyy or yyyy-mm-dd";
    private const string DateNotReal = "not a valid date: that day does not exist in the calendar";
    private const string BooleanExpected = "expected yes or no (sim/não, true/false, 1/0)";
    private const string NoOptions = "this field has no options defined";

    private const NumberStyles InvariantDecimalStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;

    private static readonly string[] TrueWords = ["true", "sim", "s", "yes", "y", "1", "verdadeiro"];
    private static readonly string[] FalseWords = ["false", "nao", "n", "no", "0", "falso"];

    private static readonly FieldValueResult Cleared = FieldValueResult.Ok(null);
    private static readonly FieldValueResult TrueResult = FieldValueResult.Ok("true");
    private static readonly FieldValueResult FalseResult = FieldValueResult.Ok("false");
    private static readonly object BoxedTrue = true;
    private static readonly object BoxedFalse = false;

    /// <summary>Validates <paramref name="value"/> for <paramref name="field"/> and returns its normal form.</summary>
    /// <param name="field">The field the value is for; its <see cref="FieldDefinition.Type"/> picks the rules.</param>
    /// <param name="value">The raw value, as typed by the contact or sent by a channel or the API.</param>
    /// <returns>A valid result with the normalised value (<c>null</c> for empty input, which clears the field), or an
    /// invalid one with a short English error saying what is expected.</returns>
    public static FieldValueResult Normalize(FieldDefinition field, string? value)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (value is null)
        {
            return Cleared;
        }

        ReadOnlySpan<char> input = value.AsSpan().Trim();
        if (input.IsEmpty)
        {
            return Cleared;
        }

        return ResolveType(field.Type) switch
        {
            FieldTypes.Text => NormalizeText(value, input),
            FieldTypes.Number => NormalizeNumber(input),
            FieldTypes.Email => NormalizeEmail(value, input),
            FieldTypes.Phone => NormalizePhone(value, input),
            FieldTypes.Cpf => NormalizeCpf(value, input),
            FieldTypes.Cnpj => NormalizeCnpj(value, input),
            FieldTypes.Date => NormalizeDate(value, input),
            FieldTypes.Boolean => NormalizeBoolean(input),
            FieldTypes.Option => NormalizeOption(field.Options, input),
            _ => FieldValueResult.Invalid($"unknown field type '{field.Type}'"),
        };
    }

    /// <summary>The stored value as a plain typed value, for templates and integrations.</summary>
    /// <param name="field">The field the value belongs to.</param>
    /// <param name="value">The stored (normalised) value.</param>
    /// <returns><c>null</c> when empty; a <see cref="decimal"/> for <c>number</c> and a <see cref="bool"/> for
    /// <c>boolean</c> (read with the same rules as <see cref="Normalize"/>, so a legacy <c>150,50</c> or <c>sim</c> still
    /// converts), the text itself when that fails; the text for every other type.</returns>
    public static object? ToTyped(FieldDefinition field, string? value)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        switch (ResolveType(field.Type))
        {
            case FieldTypes.Number:
                ReadOnlySpan<char> number = value.AsSpan().Trim();
                if (decimal.TryParse(number, InvariantDecimalStyle, CultureInfo.InvariantCulture, out decimal parsed)
                    || (number.Length <= MaxNumberLength && ParseNumber(number, out parsed) is null))
                {
                    return parsed;
                }

                return value;
            case FieldTypes.Boolean:
                return TryParseBoolean(value.AsSpan().Trim(), out bool flag) ? (flag ? BoxedTrue : BoxedFalse) : value;
            default:
                return value;
        }
    }

    /// <summary>Hides personal data in a field value before it is logged.</summary>
    /// <param name="type">The field's type.</param>
    /// <param name="value">The value, normalised or raw.</param>
    /// <returns>For <c>cpf</c> <c>***.***.*47-25</c>; for <c>cnpj</c> <c>**.***.***/**01-81</c>; for <c>phone</c> every
    /// digit but the last 4 replaced by <c>*</c>. A raw (formatted or invalid) value of those types keeps its punctuation
    /// and shows only its last 4 letters or digits (none when it has 4 or fewer). Other types are returned unchanged;
    /// <c>null</c> becomes the empty string.</returns>
    public static string Mask(string type, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        switch (ResolveType(type))
        {
            case FieldTypes.Cpf:
                return value.Length == CpfLength && !value.AsSpan().ContainsAnyExceptInRange('0', '9')
                    ? string.Create(14, value, static (span, v) =>
                    {
                        "***.***.*".AsSpan().CopyTo(span);
                        span[9] = v[7];
                        span[10] = v[8];
                        span[11] = '-';
                        span[12] = v[9];
                        span[13] = v[10];
                    })
                    : MaskAllButLast(value, 4);
            case FieldTypes.Cnpj:
                return value.Length == CnpjLength && IsAsciiLettersOrDigits(value)
                    ? string.Create(18, value, static (span, v) =>
                    {
                        "**.***.***/**".AsSpan().CopyTo(span);
                        span[13] = v[10];
                        span[14] = v[11];
                        span[15] = '-';
                        span[16] = v[12];
                        span[17] = v[13];
                    })
                    : MaskAllButLast(value, 4);
            case FieldTypes.Phone:
                return MaskAllButLast(value, 4);
            default:
                return value;
        }
    }

    private static string? ResolveType(string? type)
    {
        if (type is null)
        {
            return null;
        }

        IReadOnlyList<string> all = FieldTypes.All;
        for (int i = 0; i < all.Count; i++)
        {
            if (string.Equals(all[i], type, StringComparison.OrdinalIgnoreCase))
            {
                return all[i];
            }
        }

        return null;
    }

    private static FieldValueResult NormalizeText(string original, ReadOnlySpan<char> input) =>
        input.Length > MaxTextLength
            ? FieldValueResult.Invalid($"text is too long: at most {MaxTextLength} characters")
            : FieldValueResult.Ok(ReuseOrCreate(original, input));

    private static FieldValueResult NormalizeNumber(ReadOnlySpan<char> input)
    {
        if (input.Length > MaxNumberLength)
        {
            return FieldValueResult.Invalid(NumberExpected);
        }

        string? error = ParseNumber(input, out decimal number);
        return error is null
            ? FieldValueResult.Ok(number.ToString(CultureInfo.InvariantCulture))
            : FieldValueResult.Invalid(error);
    }

    /// <summary>Parses a number by the rules in the class remarks; returns null on success, else the error.</summary>
    private static string? ParseNumber(ReadOnlySpan<char> input, out decimal number)
    {
        number = 0m;
        bool negative = false;
        ReadOnlySpan<char> body = input;
        if (body.Length > 0 && body[0] is '+' or '-')
        {
            negative = body[0] == '-';
            body = body[1..];
        }

        if (body.IsEmpty || body.Length > MaxNumberLength)
        {
            return NumberExpected;
        }

        int lastDot = body.LastIndexOf('.');
        int lastComma = body.LastIndexOf(',');
        char decimalSeparator = '\0';
        char groupSeparator = '\0';
        if (lastDot >= 0 && lastComma >= 0)
        {
            decimalSeparator = lastDot > lastComma ? '.' : ',';
            groupSeparator = lastDot > lastComma ? ',' : '.';
            if (body.Count(decimalSeparator) != 1)
            {
                return NumberExpected;
            }
        }
        else if (lastDot >= 0 || lastComma >= 0)
        {
            char separator = lastDot >= 0 ? '.' : ',';
            if (body.Count(separator) == 1)
            {
                decimalSeparator = separator;
            }
            else
            {
                groupSeparator = separator;
            }
        }

        int decimalIndex = decimalSeparator == '\0' ? -1 : body.IndexOf(decimalSeparator);
        ReadOnlySpan<char> integerPart = decimalIndex >= 0 ? body[..decimalIndex] : body;
        ReadOnlySpan<char> fractionPart = decimalIndex >= 0 ? body[(decimalIndex + 1)..] : [];
        if (decimalIndex >= 0 && fractionPart.IsEmpty)
        {
            return NumberExpected;
        }

        Span<char> buffer = stackalloc char[MaxNumberLength + 2];
        int length = 0;
        if (integerPart.IsEmpty)
        {
            buffer[length++] = '0';
        }
        else if (!TryCopyIntegerDigits(integerPart, groupSeparator, buffer, ref length))
        {
            return NumberExpected;
        }

        if (!fractionPart.IsEmpty)
        {
            if (fractionPart.ContainsAnyExceptInRange('0', '9'))
            {
                return NumberExpected;
            }

            buffer[length++] = '.';
            fractionPart.CopyTo(buffer[length..]);
            length += fractionPart.Length;
        }

        if (!decimal.TryParse(buffer[..length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number))
        {
            return "number is too large";
        }

        // The sign is applied last so that -0 and -0.00 are stored as 0 and 0.00, never as a negative zero.
        if (negative && number != 0m)
        {
            number = -number;
        }

        return null;
    }

    /// <summary>Copies the digits of an integer part, checking thousands groups (1-3 digits, then exactly 3).</summary>
    private static bool TryCopyIntegerDigits(ReadOnlySpan<char> integerPart, char groupSeparator, Span<char> buffer, ref int length)
    {
        if (groupSeparator == '\0')
        {
            if (integerPart.ContainsAnyExceptInRange('0', '9'))
            {
                return false;
            }

            integerPart.CopyTo(buffer[length..]);
            length += integerPart.Length;
            return true;
        }

        bool first = true;
        while (true)
        {
            int next = integerPart.IndexOf(groupSeparator);
            ReadOnlySpan<char> group = next < 0 ? integerPart : integerPart[..next];
            bool sizeOk = first ? group.Length is >= 1 and <= 3 : group.Length == 3;
            if (!sizeOk || group.ContainsAnyExceptInRange('0', '9'))
            {
                return false;
            }

            group.CopyTo(buffer[length..]);
            length += group.Length;
            if (next < 0)
            {
                return true;
            }

            integerPart = integerPart[(next + 1)..];
            first = false;
        }
    }

    private static FieldValueResult NormalizeEmail(string original, ReadOnlySpan<char> input)
    {
        if (input.Length > MaxEmailLength)
        {
            return FieldValueResult.Invalid($"e-mail address is too long: at most {MaxEmailLength} characters");
        }

        int at = input.IndexOf('@');
        if (at <= 0 || at != input.LastIndexOf('@'))
        {
            return FieldValueResult.Invalid(EmailExpected);
        }

        if (!IsValidEmailLocalPart(input[..at]) || !IsValidEmailDomain(input[(at + 1)..]))
        {
            return FieldValueResult.Invalid(EmailExpected);
        }

        Span<char> lower = stackalloc char[input.Length];
        input.ToLowerInvariant(lower);
        return FieldValueResult.Ok(ReuseOrCreate(original, lower));
    }

    private static bool IsValidEmailLocalPart(ReadOnlySpan<char> local)
    {
        if (local.Length > MaxEmailLocalLength || local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (char c in local)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '(' or ')' or ',' or ':' or ';' or '<' or '>' or '[' or ']' or '\\')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidEmailDomain(ReadOnlySpan<char> domain)
    {
        int labels = 0;
        ReadOnlySpan<char> lastLabel = [];
        while (true)
        {
            int dot = domain.IndexOf('.');
            ReadOnlySpan<char> label = dot < 0 ? domain : domain[..dot];
            if (label.IsEmpty || label.Length > MaxDomainLabelLength || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (char c in label)
            {
                if (!char.IsLetterOrDigit(c) && c != '-')
                {
                    return false;
                }
            }

            labels++;
            lastLabel = label;
            if (dot < 0)
            {
                break;
            }

            domain = domain[(dot + 1)..];
        }

        return labels >= 2 && lastLabel.Length >= 2 && lastLabel.ContainsAnyExceptInRange('0', '9');
    }

    private static FieldValueResult NormalizePhone(string original, ReadOnlySpan<char> input)
    {
        Span<char> digits = stackalloc char[MaxPhoneDigits];
        int count = 0;
        foreach (char c in input)
        {
            if (char.IsAsciiDigit(c))
            {
                if (count == MaxPhoneDigits)
                {
                    return FieldValueResult.Invalid(PhoneExpected);
                }

                digits[count++] = c;
            }
            else if (c == '+')
            {
                if (count > 0)
                {
                    return FieldValueResult.Invalid(PhoneCharacters);
                }
            }
            else if (c is not ('(' or ')' or '-' or '.') && !char.IsWhiteSpace(c))
            {
                return FieldValueResult.Invalid(PhoneCharacters);
            }
        }

        return count < MinPhoneDigits
            ? FieldValueResult.Invalid(PhoneExpected)
            : FieldValueResult.Ok(ReuseOrCreate(original, digits[..count]));
    }

    private static FieldValueResult NormalizeCpf(string original, ReadOnlySpan<char> input)
    {
        Span<char> digits = stackalloc char[CpfLength];
        int count = 0;
        foreach (char c in input)
        {
            if (char.IsAsciiDigit(c))
            {
                if (count == CpfLength)
                {
                    return FieldValueResult.Invalid(CpfExpected);
                }

                digits[count++] = c;
            }
            else if (c is not ('.' or '-') && !char.IsWhiteSpace(c))
            {
                return FieldValueResult.Invalid(CpfExpected);
            }
        }

        if (count != CpfLength)
        {
            return FieldValueResult.Invalid(CpfExpected);
        }

        if (!digits.ContainsAnyExcept(digits[0]))
        {
            return FieldValueResult.Invalid(CpfRepeated);
        }

        if (CheckDigit(digits[..9], 10) != digits[9] - '0' || CheckDigit(digits[..10], 11) != digits[10] - '0')
        {
            return FieldValueResult.Invalid(CpfCheckDigits);
        }

        return FieldValueResult.Ok(ReuseOrCreate(original, digits));

        // Weights run from firstWeight down to 2; value = 11 - (sum mod 11), 0 when that is 10 or 11.
        static int CheckDigit(ReadOnlySpan<char> digits, int firstWeight)
        {
            int sum = 0;
            for (int i = 0; i < digits.Length; i++)
            {
                sum += (digits[i] - '0') * (firstWeight - i);
            }

            int remainder = sum % 11;
            return remainder < 2 ? 0 : 11 - remainder;
        }
    }

    private static FieldValueResult NormalizeCnpj(string original, ReadOnlySpan<char> input)
    {
        Span<char> chars = stackalloc char[CnpjLength];
        int count = 0;
        foreach (char c in input)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                if (count == CnpjLength)
                {
                    return FieldValueResult.Invalid(CnpjExpected);
                }

                chars[count++] = char.IsAsciiLetterLower(c) ? (char)(c - ('a' - 'A')) : c;
            }
            else if (c is not ('.' or '/' or '-') && !char.IsWhiteSpace(c))
            {
                return FieldValueResult.Invalid(CnpjExpected);
            }
        }

        if (count != CnpjLength || !char.IsAsciiDigit(chars[12]) || !char.IsAsciiDigit(chars[13]))
        {
            return FieldValueResult.Invalid(CnpjExpected);
        }

        if (!chars.ContainsAnyExcept(chars[0]))
        {
            return FieldValueResult.Invalid(CnpjRepeated);
        }

        if (CheckDigit(chars[..12]) != chars[12] - '0' || CheckDigit(chars[..13]) != chars[13] - '0')
        {
            return FieldValueResult.Invalid(CnpjCheckDigits);
        }

        return FieldValueResult.Ok(ReuseOrCreate(original, chars));

        // Weights 2..9 from the right, repeating; a character's value is its code minus '0' (digits 0-9, A=17 ... Z=42).
        static int CheckDigit(ReadOnlySpan<char> chars)
        {
            int sum = 0;
            int weight = 2;
            for (int i = chars.Length - 1; i >= 0; i--)
            {
                sum += (chars[i] - '0') * weight;
                weight = weight == 9 ? 2 : weight + 1;
            }

            int remainder = sum % 11;
            return remainder < 2 ? 0 : 11 - remainder;
        }
    }

    private static FieldValueResult NormalizeDate(string original, ReadOnlySpan<char> input)
    {
        int year, month, day;
        bool parsed = input.Contains('/')
            ? TryParseDateParts(input, '/', yearFirst: false, out year, out month, out day)
            : TryParseDateParts(input, '-', yearFirst: true, out year, out month, out day);
        if (!parsed)
        {
            return FieldValueResult.Invalid(DateExpected);
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return FieldValueResult.Invalid(DateNotReal);
        }

        Span<char> iso = stackalloc char[10];
        new DateOnly(year, month, day).TryFormat(iso, out int written, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        return FieldValueResult.Ok(ReuseOrCreate(original, iso[..written]));
    }

    private static bool TryParseDateParts(ReadOnlySpan<char> input, char separator, bool yearFirst, out int year, out int month, out int day)
    {
        year = month = day = 0;
        int first = input.IndexOf(separator);
        if (first < 0)
        {
            return false;
        }

        ReadOnlySpan<char> rest = input[(first + 1)..];
        int second = rest.IndexOf(separator);
        if (second < 0)
        {
            return false;
        }

        ReadOnlySpan<char> a = input[..first];
        ReadOnlySpan<char> b = rest[..second];
        ReadOnlySpan<char> c = rest[(second + 1)..];
        return yearFirst
            ? TryReadInt(a, 4, 4, out year) && TryReadInt(b, 1, 2, out month) && TryReadInt(c, 1, 2, out day)
            : TryReadInt(a, 1, 2, out day) && TryReadInt(b, 1, 2, out month) && TryReadInt(c, 4, 4, out year);
    }

    private static bool TryReadInt(ReadOnlySpan<char> digits, int minLength, int maxLength, out int value)
    {
        value = 0;
        if (digits.Length < minLength || digits.Length > maxLength)
        {
            return false;
        }

        foreach (char c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }

    private static FieldValueResult NormalizeBoolean(ReadOnlySpan<char> input) =>
        TryParseBoolean(input, out bool value)
            ? (value ? TrueResult : FalseResult)
            : FieldValueResult.Invalid(BooleanExpected);

    private static bool TryParseBoolean(ReadOnlySpan<char> input, out bool value)
    {
        foreach (string word in TrueWords)
        {
            if (FoldedEquals(input, word))
            {
                value = true;
                return true;
            }
        }

        foreach (string word in FalseWords)
        {
            if (FoldedEquals(input, word))
            {
                value = false;
                return true;
            }
        }

        value = false;
        return false;
    }

    private static FieldValueResult NormalizeOption(IReadOnlyList<string>? options, ReadOnlySpan<char> input)
    {
        if (options is null || options.Count == 0)
        {
            return FieldValueResult.Invalid(NoOptions);
        }

        bool anyNumericOption = false;
        for (int i = 0; i < options.Count; i++)
        {
            string option = options[i];
            if (option is null)
            {
                continue;
            }

            ReadOnlySpan<char> text = option.AsSpan().Trim();
            if (FoldedEquals(input, text))
            {
                return FieldValueResult.Ok(option);
            }

            anyNumericOption |= !text.IsEmpty && !text.ContainsAnyExceptInRange('0', '9');
        }

        if (!anyNumericOption && TryReadInt(input, 1, 4, out int position) && position >= 1 && position <= options.Count
            && options[position - 1] is { } picked)
        {
            return FieldValueResult.Ok(picked);
        }

        return FieldValueResult.Invalid(
            anyNumericOption
                ? $"expected one of: {string.Join(", ", options)}"
                : $"expected one of: {string.Join(", ", options)} (or its number, 1 to {options.Count})");
    }

    /// <summary>Compares ignoring case and accents: Latin-1 accented letters fold to their base letter and combining
    /// diacritical marks (U+0300-U+036F, as in decomposed input) are skipped.</summary>
    private static bool FoldedEquals(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        int i = 0;
        int j = 0;
        while (true)
        {
            while (i < a.Length && IsCombiningMark(a[i]))
            {
                i++;
            }

            while (j < b.Length && IsCombiningMark(b[j]))
            {
                j++;
            }

            if (i == a.Length || j == b.Length)
            {
                return i == a.Length && j == b.Length;
            }

            if (Fold(a[i]) != Fold(b[j]))
            {
                return false;
            }

            i++;
            j++;
        }
    }

    private static bool IsCombiningMark(char c) => c is >= '\u0300' and <= '\u036F';

    private static char Fold(char c)
    {
        if (c < '\u0080')
        {
            return char.IsAsciiLetterUpper(c) ? (char)(c + ('a' - 'A')) : c;
        }

        return c switch
        {
            >= '\u00C0' and <= '\u00C5' or >= '\u00E0' and <= '\u00E5' => 'a', // À-Å à-å
            '\u00C7' or '\u00E7' => 'c', // Ç ç
            >= '\u00C8' and <= '\u00CB' or >= '\u00E8' and <= '\u00EB' => 'e', // È-Ë è-ë
            >= '\u00CC' and <= '\u00CF' or >= '\u00EC' and <= '\u00EF' => 'i', // Ì-Ï ì-ï
            '\u00D1' or '\u00F1' => 'n', // Ñ ñ
            >= '\u00D2' and <= '\u00D6' or >= '\u00F2' and <= '\u00F6' => 'o', // Ò-Ö ò-ö
            >= '\u00D9' and <= '\u00DC' or >= '\u00F9' and <= '\u00FC' => 'u', // Ù-Ü ù-ü
            '\u00DD' or '\u00FD' or '\u00FF' => 'y', // Ý ý ÿ
            _ => char.ToLowerInvariant(c),
        };
    }

    private static bool IsAsciiLettersOrDigits(string value)
    {
        foreach (char c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Replaces every letter or digit but the last <paramref name="visible"/> ones by <c>*</c> (all of them when
    /// there are no more than <paramref name="visible"/>), keeping punctuation.</summary>
    private static string MaskAllButLast(string value, int visible)
    {
        int total = 0;
        foreach (char c in value)
        {
            if (char.IsLetterOrDigit(c))
            {
                total++;
            }
        }

        int toMask = total <= visible ? total : total - visible;
        return string.Create(value.Length, (value, toMask), static (span, state) =>
        {
            int masked = 0;
            for (int i = 0; i < state.value.Length; i++)
            {
                char c = state.value[i];
                if (masked < state.toMask && char.IsLetterOrDigit(c))
                {
                    span[i] = '*';
                    masked++;
                }
                else
                {
                    span[i] = c;
                }
            }
        });
    }

    /// <summary>Returns <paramref name="original"/> when it already equals <paramref name="normalized"/>, saving an allocation.</summary>
    private static string ReuseOrCreate(string original, ReadOnlySpan<char> normalized) =>
        original.AsSpan().SequenceEqual(normalized) ? original : normalized.ToString();
}
