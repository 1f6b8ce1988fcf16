using BotFlow.Host.Fields;
using BotFlow.Sdk.Fields;

namespace BotFlow.Host.Tests.Fields;

public sealed class FieldValueNormalizerTests
{
    private static readonly FieldDefinition Department =
        new("department", "Department", FieldTypes.Option, ["Vendas", "Suporte Técnico", "Financeiro"]);

    private static FieldDefinition Field(string type) => new("f", "Field", type);

    private static void AssertValid(string type, string? input, string? expected)
    {
        FieldValueResult result = FieldValueNormalizer.Normalize(Field(type), input);
        Assert.True(result.IsValid, $"'{input}' should be a valid {type}, got: {result.Error}");
        Assert.Equal(expected, result.Value);
        Assert.Null(result.Error);
    }

    private static FieldValueResult AssertInvalid(string type, string? input)
    {
        FieldValueResult result = FieldValueNormalizer.Normalize(Field(type), input);
        Assert.False(result.IsValid, $"'{input}' should not be a valid {type}, got: {result.Value}");
        Assert.Null(result.Value);
        Assert.False(string.IsNullOrWhiteSpace(result.Error));
        return result;
    }

    // ---- every type ----

    public static TheoryData<string, string?> EmptyInputs()
    {
        var data = new TheoryData<string, string?>();
        foreach (string type in FieldTypes.All)
        {
            data.Add(type, null);
            data.Add(type, "");
            data.Add(type, "   \t ");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EmptyInputs))]
    public void Empty_or_blank_input_is_valid_and_clears_the_field(string type, string? input) =>
        AssertValid(type, input, null);

    [Fact]
    public void Option_field_without_options_still_clears_on_empty_input() =>
        Assert.Equal(FieldValueResult.Ok(null), FieldValueNormalizer.Normalize(Field(FieldTypes.Option), " "));

    [Fact]
    public void An_unknown_field_type_is_invalid()
    {
        FieldValueResult result = AssertInvalid("colour", "blue");
        Assert.Contains("colour", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_field_type_is_matched_without_regard_to_case() =>
        AssertValid("CPF", "529.982.247-25", "52998224725");

    [Fact]
    public void A_null_field_is_an_argument_error() =>
        Assert.Throws<ArgumentNullException>(() => FieldValueNormalizer.Normalize(null!, "x"));

    [Theory]
    [InlineData(FieldTypes.Text, "  Olá, mundo  ")]
    [InlineData(FieldTypes.Number, "1.234,50")]
    [InlineData(FieldTypes.Number, "-0,00")]
    [InlineData(FieldTypes.Email, " Maria@Example.COM ")]
    [InlineData(FieldTypes.Phone, "+55 (11) 98765-4321")]
    [InlineData(FieldTypes.Cpf, "529.982.247-25")]
    [InlineData(FieldTypes.Cnpj, "12.abc.345/01de-35")]
    [InlineData(FieldTypes.Date, "1/3/2025")]
    [InlineData(FieldTypes.Boolean, "NÃO")]
    public void Normalising_a_normalised_value_changes_nothing(string type, string input)
    {
        string? once = FieldValueNormalizer.Normalize(Field(type), input).Value;
        Assert.NotNull(once);
        FieldValueResult twice = FieldValueNormalizer.Normalize(Field(type), once);
        Assert.True(twice.IsValid);
        Assert.Equal(once, twice.Value);
    }

    [Fact]
    public void A_value_already_in_normal_form_is_returned_without_a_copy()
    {
        const string cpf = "52998224725";
        Assert.Same(cpf, FieldValueNormalizer.Normalize(Field(FieldTypes.Cpf), cpf).Value);
        const string date = "2025-03-31";
        Assert.Same(date, FieldValueNormalizer.Normalize(Field(FieldTypes.Date), date).Value);
    }

    // ---- text ----

    [Fact]
    public void Text_is_trimmed_and_otherwise_kept_as_typed() =>
        AssertValid(FieldTypes.Text, "  Olá,  Mundo! \n", "Olá,  Mundo!");

    [Fact]
    public void Text_of_4096_characters_is_valid_and_longer_text_is_not()
    {
        AssertValid(FieldTypes.Text, new string('a', 4096), new string('a', 4096));
        Assert.Contains("4096", AssertInvalid(FieldTypes.Text, new string('a', 4097)).Error, StringComparison.Ordinal);
    }

    // ---- number ----

    [Theory]
    [InlineData("150.50", "150.50")]
    [InlineData("150,50", "150.50")]
    [InlineData("150", "150")]
    [InlineData("-3", "-3")]
    [InlineData("+7", "7")]
    [InlineData("007", "7")]
    [InlineData("1.234,56", "1234.56")]
    [InlineData("1,234.56", "1234.56")]
    [InlineData("1.234", "1.234")]
    [InlineData("1,234", "1.234")]
    [InlineData("1.234.567", "1234567")]
    [InlineData("1,234,567", "1234567")]
    [InlineData("1.234.567,89", "1234567.89")]
    [InlineData("-1,234,567.89", "-1234567.89")]
    [InlineData(",5", "0.5")]
    [InlineData("-.5", "-0.5")]
    [InlineData("-0", "0")]
    [InlineData("-0,00", "0.00")]
    [InlineData(" 42 ", "42")]
    public void Numbers_are_stored_in_invariant_culture(string input, string expected) =>
        AssertValid(FieldTypes.Number, input, expected);

    [Theory]
    [InlineData("12,5x")]
    [InlineData("abc")]
    [InlineData("1e5")]
    [InlineData("5,")]
    [InlineData("5.")]
    [InlineData(".")]
    [InlineData("-")]
    [InlineData("--1")]
    [InlineData("1-")]
    [InlineData("1 000")]
    [InlineData("R$ 10,00")]
    [InlineData("12.34,5")]
    [InlineData("1.2.3,4")]
    [InlineData("1,234.56.7")]
    [InlineData("1.234,56,7")]
    [InlineData(".234,5")]
    [InlineData("1,,2")]
    [InlineData("0x10")]
    [InlineData("١٢٣")]
    public void Malformed_numbers_are_invalid(string input)
    {
        FieldValueResult result = AssertInvalid(FieldTypes.Number, input);
        Assert.Equal("expected a number like 150.50 or 150,50", result.Error);
    }

    [Fact]
    public void A_number_too_large_for_a_decimal_is_invalid() =>
        Assert.Equal("number is too large", AssertInvalid(FieldTypes.Number, new string('9', 40)).Error);

    // ---- email ----

    [Theory]
    [InlineData("maria@example.com", "maria@example.com")]
    [InlineData(" Maria.Silva@Example.COM ", "maria.silva@example.com")]
    [InlineData("joao+bot@mail.empresa.com.br", "joao+bot@mail.empresa.com.br")]
    [InlineData("o'neil_99@sub-domain.io", "o'neil_99@sub-domain.io")]
    public void Valid_emails_are_stored_lower_cased(string input, string expected) =>
        AssertValid(FieldTypes.Email, input, expected);

    [Theory]
    [InlineData("maria")]
    [InlineData("maria@")]
    [InlineData("@example.com")]
    [InlineData("maria@example")]
    [InlineData("maria@example.c")]
    [InlineData("maria@10.0.0.1")]
    [InlineData("ma ria@example.com")]
    [InlineData("maria@exa mple.com")]
    [InlineData("maria@@example.com")]
    [InlineData("maria@ex@ample.com")]
    [InlineData("maria@example..com")]
    [InlineData("maria@.example.com")]
    [InlineData("maria@example.com.")]
    [InlineData(".maria@example.com")]
    [InlineData("maria.@example.com")]
    [InlineData("ma..ria@example.com")]
    [InlineData("maria@-example.com")]
    [InlineData("maria@example-.com")]
    [InlineData("maria@exa_mple.com")]
    [InlineData("<maria@example.com>")]
    public void Malformed_emails_are_invalid(string input) =>
        Assert.Equal("expected an e-mail address like name@example.com", AssertInvalid(FieldTypes.Email, input).Error);

    [Fact]
    public void An_email_longer_than_254_characters_is_invalid()
    {
        string domain = string.Join('.', Enumerable.Repeat(new string('d', 60), 4)) + ".com"; // 247 characters
        string longest = new string('a', 6) + "@" + domain; // 254 characters
        AssertValid(FieldTypes.Email, longest, longest);
        Assert.Contains("254", AssertInvalid(FieldTypes.Email, "a" + longest).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_email_local_part_longer_than_64_characters_is_invalid() =>
        AssertInvalid(FieldTypes.Email, new string('a', 65) + "@example.com");

    // ---- phone ----

    [Theory]
    [InlineData("+55 (11) 98765-4321", "5511987654321")]
    [InlineData("(11) 98765-4321", "11987654321")]
    [InlineData("11 3456-7890", "1134567890")]
    [InlineData("55 11 3456.7890", "551134567890")]
    [InlineData("5511987654321", "5511987654321")]
    [InlineData("+55\u00A011\u00A098765-4321", "5511987654321")]
    public void Phones_are_stored_as_digits_only(string input, string expected) =>
        AssertValid(FieldTypes.Phone, input, expected);

    [Theory]
    [InlineData("98765-4321")]
    [InlineData("123456789")]
    [InlineData("12345678901234")]
    [InlineData("+55 (11) 98765-43210")]
    public void Phones_with_fewer_than_10_or_more_than_13_digits_are_invalid(string input) =>
        Assert.Equal("expected a phone number with 10 to 13 digits, area code included", AssertInvalid(FieldTypes.Phone, input).Error);

    [Theory]
    [InlineData("11 9876-ABCD")]
    [InlineData("11987654321 ext 2")]
    [InlineData("11/98765-4321")]
    [InlineData("55+11987654321")]
    [InlineData("phone: 11987654321")]
    public void Phones_with_letters_or_other_symbols_are_invalid(string input) =>
        Assert.StartsWith("not a valid phone number", AssertInvalid(FieldTypes.Phone, input).Error, StringComparison.Ordinal);

    // ---- cpf ----

    [Theory]
    [InlineData("529.982.247-25", "52998224725")]
    [InlineData("52998224725", "52998224725")]
    [InlineData(" 529.982.247-25 ", "52998224725")]
    [InlineData("529 982 247 25", "52998224725")]
    [InlineData("111.444.777-35", "11144477735")]
    [InlineData("000.000.001-91", "00000000191")]
    public void Cpfs_with_valid_check_digits_are_stored_as_11_digits(string input, string expected) =>
        AssertValid(FieldTypes.Cpf, input, expected);

    [Theory]
    [InlineData("529.982.247-24")]
    [InlineData("529.982.247-15")]
    [InlineData("52998224752")]
    [InlineData("111.444.777-53")]
    public void Cpfs_whose_check_digits_do_not_match_are_invalid(string input) =>
        Assert.Equal("not a valid CPF: check digits do not match", AssertInvalid(FieldTypes.Cpf, input).Error);

    [Theory]
    [InlineData("111.111.111-11")]
    [InlineData("00000000000")]
    [InlineData("99999999999")]
    public void Cpfs_made_of_one_repeated_digit_are_invalid(string input) =>
        Assert.Equal("not a valid CPF: all digits are the same", AssertInvalid(FieldTypes.Cpf, input).Error);

    [Theory]
    [InlineData("123")]
    [InlineData("5299822472")]
    [InlineData("529.982.247-255")]
    [InlineData("529.982.247-2a")]
    [InlineData("529/982/247-25")]
    [InlineData("CPF 52998224725")]
    public void Cpfs_without_exactly_11_digits_are_invalid(string input) =>
        Assert.Equal("expected a CPF with 11 digits, like 529.982.247-25", AssertInvalid(FieldTypes.Cpf, input).Error);

    // ---- cnpj ----

    [Theory]
    [InlineData("11.222.333/0001-81", "11222333000181")]
    [InlineData("11222333000181", "11222333000181")]
    [InlineData(" 11 222 333 0001 81 ", "11222333000181")]
    [InlineData("12.ABC.345/01DE-35", "12ABC34501DE35")]
    [InlineData("12.abc.345/01de-35", "12ABC34501DE35")]
    public void Cnpjs_with_valid_check_digits_are_stored_as_14_characters(string input, string expected) =>
        AssertValid(FieldTypes.Cnpj, input, expected);

    [Theory]
    [InlineData("11.222.333/0001-82")]
    [InlineData("11.222.333/0001-18")]
    [InlineData("12.ABC.345/01DE-36")]
    [InlineData("12.ABD.345/01DE-35")]
    public void Cnpjs_whose_check_digits_do_not_match_are_invalid(string input) =>
        Assert.Equal("not a valid CNPJ: check digits do not match", AssertInvalid(FieldTypes.Cnpj, input).Error);

    [Theory]
    [InlineData("00.000.000/0000-00")]
    [InlineData("11111111111111")]
    public void Cnpjs_made_of_one_repeated_character_are_invalid(string input) =>
        Assert.Equal("not a valid CNPJ: all characters are the same", AssertInvalid(FieldTypes.Cnpj, input).Error);

    [Theory]
    [InlineData("1122233300018")]
    [InlineData("112223330001811")]
    [InlineData("12.ABC.345/01DE-3A")]
    [InlineData("11.222.333\\0001-81")]
    [InlineData("11.222.333/0001-8ç")]
    public void Cnpjs_of_the_wrong_shape_are_invalid(string input) =>
        Assert.Equal("expected a CNPJ with 14 characters, like 11.222.333/0001-81", AssertInvalid(FieldTypes.Cnpj, input).Error);

    // ---- date ----

    [Theory]
    [InlineData("2025-03-31", "2025-03-31")]
    [InlineData("2025-3-1", "2025-03-01")]
    [InlineData("31/03/2025", "2025-03-31")]
    [InlineData("1/3/2025", "2025-03-01")]
    [InlineData("29/02/2024", "2024-02-29")]
    [InlineData("2024-02-29", "2024-02-29")]
    [InlineData(" 01/01/0001 ", "0001-01-01")]
    [InlineData("31/12/9999", "9999-12-31")]
    public void Dates_are_stored_as_iso(string input, string expected) =>
        AssertValid(FieldTypes.Date, input, expected);

    [Theory]
    [InlineData("31/02/2024")]
    [InlineData("29/02/2023")]
    [InlineData("2023-02-29")]
    [InlineData("2025-13-01")]
    [InlineData("03/31/2025")]
    [InlineData("00/01/2025")]
    [InlineData("2025-04-31")]
    [InlineData("01/01/0000")]
    public void Dates_that_do_not_exist_are_invalid(string input) =>
        Assert.Equal("not a valid date: that day does not exist in the calendar", AssertInvalid(FieldTypes.Date, input).Error);

    [Theory]
    [InlineData("31/03/25")]
    [InlineData("2025/03/31")]
    [InlineData("31-03-2025")]
    [InlineData("31.03.2025")]
    [InlineData("20250331")]
    [InlineData("2025-03-31T10:00:00")]
    [InlineData("31/03/2025/1")]
    [InlineData("tomorrow")]
    [InlineData("001/03/2025")]
    public void Dates_in_other_formats_are_invalid(string input) =>
        Assert.Equal("expected a date as dd/mm/yyyy or yyyy-mm-dd", AssertInvalid(FieldTypes.Date, input).Error);

    // ---- boolean ----

    [Theory]
    [InlineData("true")]
    [InlineData("TRUE")]
    [InlineData("Sim")]
    [InlineData("SIM")]
    [InlineData("s")]
    [InlineData("yes")]
    [InlineData("Y")]
    [InlineData("1")]
    [InlineData("Verdadeiro")]
    public void Yes_words_are_stored_as_true(string input) => AssertValid(FieldTypes.Boolean, input, "true");

    [Theory]
    [InlineData("false")]
    [InlineData("não")]
    [InlineData("NÃO")]
    [InlineData("nao")]
    [InlineData("na\u0303o")]
    [InlineData("N")]
    [InlineData("no")]
    [InlineData("0")]
    [InlineData("falso")]
    public void No_words_are_stored_as_false(string input) => AssertValid(FieldTypes.Boolean, input, "false");

    [Theory]
    [InlineData("talvez")]
    [InlineData("2")]
    [InlineData("yes please")]
    [InlineData("sim sim")]
    [InlineData("nã")]
    public void Other_answers_to_a_yes_no_field_are_invalid(string input) =>
        Assert.Equal("expected yes or no (sim/não, true/false, 1/0)", AssertInvalid(FieldTypes.Boolean, input).Error);

    // ---- option ----

    [Theory]
    [InlineData("Vendas", "Vendas")]
    [InlineData("vendas", "Vendas")]
    [InlineData("suporte tecnico", "Suporte Técnico")]
    [InlineData("SUPORTE TÉCNICO", "Suporte Técnico")]
    [InlineData(" financeiro ", "Financeiro")]
    [InlineData("1", "Vendas")]
    [InlineData("2", "Suporte Técnico")]
    [InlineData("3", "Financeiro")]
    public void Options_match_by_text_ignoring_case_and_accents_or_by_number(string input, string expected)
    {
        FieldValueResult result = FieldValueNormalizer.Normalize(Department, input);
        Assert.True(result.IsValid, result.Error);
        Assert.Equal(expected, result.Value);
    }

    [Theory]
    [InlineData("Marketing")]
    [InlineData("0")]
    [InlineData("4")]
    [InlineData("-1")]
    [InlineData("Suporte")]
    public void Answers_that_are_not_an_option_are_invalid_and_the_error_lists_the_options(string input)
    {
        FieldValueResult result = FieldValueNormalizer.Normalize(Department, input);
        Assert.False(result.IsValid);
        Assert.Equal("expected one of: Vendas, Suporte Técnico, Financeiro (or its number, 1 to 3)", result.Error);
    }

    [Fact]
    public void When_an_option_is_itself_a_number_only_the_text_matches()
    {
        var amount = new FieldDefinition("amount", "Amount", FieldTypes.Option, ["10", "20", "30"]);
        Assert.Equal("20", FieldValueNormalizer.Normalize(amount, "20").Value);
        FieldValueResult byPosition = FieldValueNormalizer.Normalize(amount, "2");
        Assert.False(byPosition.IsValid);
        Assert.Equal("expected one of: 10, 20, 30", byPosition.Error);
    }

    [Fact]
    public void An_option_field_with_no_options_is_invalid_with_a_clear_message()
    {
        Assert.Equal("this field has no options defined", FieldValueNormalizer.Normalize(Field(FieldTypes.Option), "Vendas").Error);
        var empty = new FieldDefinition("f", "Field", FieldTypes.Option, []);
        Assert.Equal("this field has no options defined", FieldValueNormalizer.Normalize(empty, "1").Error);
    }

    // ---- ToTyped ----

    [Fact]
    public void ToTyped_returns_a_decimal_for_numbers()
    {
        Assert.Equal(150.50m, FieldValueNormalizer.ToTyped(Field(FieldTypes.Number), "150.50"));
        Assert.Equal(-3m, FieldValueNormalizer.ToTyped(Field(FieldTypes.Number), "-3"));
        Assert.Equal(1.5m, FieldValueNormalizer.ToTyped(Field(FieldTypes.Number), "1,5"));
        Assert.IsType<decimal>(FieldValueNormalizer.ToTyped(Field(FieldTypes.Number), "0"));
    }

    [Fact]
    public void ToTyped_returns_the_text_of_a_number_it_cannot_parse() =>
        Assert.Equal("abc", FieldValueNormalizer.ToTyped(Field(FieldTypes.Number), "abc"));

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData("True", true)]
    [InlineData("sim", true)]
    [InlineData("não", false)]
    public void ToTyped_returns_a_bool_for_booleans(string stored, bool expected) =>
        Assert.Equal(expected, FieldValueNormalizer.ToTyped(Field(FieldTypes.Boolean), stored));

    [Fact]
    public void ToTyped_returns_the_text_of_a_boolean_it_cannot_parse() =>
        Assert.Equal("talvez", FieldValueNormalizer.ToTyped(Field(FieldTypes.Boolean), "talvez"));

    [Theory]
    [InlineData(FieldTypes.Text, "hello")]
    [InlineData(FieldTypes.Cpf, "52998224725")]
    [InlineData(FieldTypes.Phone, "5511987654321")]
    [InlineData(FieldTypes.Date, "2025-03-31")]
    [InlineData(FieldTypes.Option, "Vendas")]
    [InlineData("unknown", "x")]
    public void ToTyped_returns_the_text_for_other_types(string type, string stored) =>
        Assert.Equal(stored, FieldValueNormalizer.ToTyped(Field(type), stored));

    [Theory]
    [InlineData(FieldTypes.Number, null)]
    [InlineData(FieldTypes.Number, "")]
    [InlineData(FieldTypes.Boolean, " ")]
    [InlineData(FieldTypes.Text, "")]
    public void ToTyped_returns_null_for_an_empty_value(string type, string? stored) =>
        Assert.Null(FieldValueNormalizer.ToTyped(Field(type), stored));

    // ---- Mask ----

    [Theory]
    [InlineData(FieldTypes.Cpf, "52998224725", "***.***.*47-25")]
    [InlineData(FieldTypes.Cpf, "529.982.247-25", "***.***.*47-25")]
    [InlineData(FieldTypes.Cnpj, "11222333000181", "**.***.***/**01-81")]
    [InlineData(FieldTypes.Cnpj, "12ABC34501DE35", "**.***.***/**DE-35")]
    [InlineData(FieldTypes.Cnpj, "11.222.333/0001-81", "**.***.***/**01-81")]
    [InlineData(FieldTypes.Phone, "5511987654321", "*********4321")]
    [InlineData(FieldTypes.Phone, "+55 (11) 98765-4321", "+** (**) *****-4321")]
    [InlineData(FieldTypes.Cpf, "123", "***")]
    [InlineData(FieldTypes.Phone, "1234", "****")]
    [InlineData("CPF", "52998224725", "***.***.*47-25")]
    public void Mask_hides_all_but_the_last_four_digits_of_documents_and_phones(string type, string value, string expected) =>
        Assert.Equal(expected, FieldValueNormalizer.Mask(type, value));

    [Theory]
    [InlineData(FieldTypes.Email, "maria@example.com")]
    [InlineData(FieldTypes.Text, "52998224725")]
    [InlineData(FieldTypes.Date, "2025-03-31")]
    [InlineData("unknown", "x")]
    public void Mask_leaves_other_types_unchanged(string type, string value) =>
        Assert.Same(value, FieldValueNormalizer.Mask(type, value));

    [Fact]
    public void Mask_of_null_is_empty() =>
        Assert.Equal(string.Empty, FieldValueNormalizer.Mask(FieldTypes.Cpf, null));
}
