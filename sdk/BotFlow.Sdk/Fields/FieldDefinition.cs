namespace BotFlow.Sdk.Fields;

/// <summary>The registration field types (account-wide); see the flow format.</summary>
public static class FieldTypes
{
    /// <summary>Free text.</summary>
    public const string Text = "text";
    /// <summary>A number; stored in invariant culture, a comma accepted as decimal separator on input.</summary>
    public const string Number = "number";
    /// <summary>An e-mail address, stored lower-cased.</summary>
    public const string Email = "email";
    /// <summary>A phone number, stored as digits only.</summary>
    public const string Phone = "phone";
    /// <summary>A Brazilian CPF, checked by its check digits and stored as 11 digits.</summary>
    public const string Cpf = "cpf";
    /// <summary>A Brazilian CNPJ, checked by its check digits and stored as 14 digits.</summary>
    public const string Cnpj = "cnpj";
    /// <summary>A date, given as ISO (<c>2025-03-31</c>) or <c>dd/mm/yyyy</c>, stored as ISO.</summary>
    public const string Date = "date";
    /// <summary>Yes or no (<c>sim</c>/<c>não</c>, <c>true</c>/<c>false</c>, <c>1</c>/<c>0</c>), stored as <c>true</c>/<c>false</c>.</summary>
    public const string Boolean = "boolean";
    /// <summary>One of a list of options, matched without regard to case or accents, stored as the option's text.</summary>
    public const string Option = "option";

    /// <summary>Every type, in the order the editor lists them.</summary>
    public static IReadOnlyList<string> All { get; } = [Text, Number, Email, Phone, Cpf, Cnpj, Date, Boolean, Option];
}

/// <summary>A registration field: what a question can store into and templates read as <c>contact.&lt;key&gt;</c>.</summary>
/// <param name="Key">The field's key (<c>a-z</c>, <c>0-9</c>, <c>_</c>).</param>
/// <param name="Label">The name admins see.</param>
/// <param name="Type">One of <see cref="FieldTypes"/>.</param>
/// <param name="Options">The allowed values of an <c>option</c> field.</param>
/// <param name="BuiltIn">True for <c>name</c> and <c>phone</c>, which every contact has and cannot be deleted.</param>
public sealed record FieldDefinition(string Key, string Label, string Type, IReadOnlyList<string>? Options = null, bool BuiltIn = false);

/// <summary>The result of validating and normalising a field value.</summary>
/// <param name="IsValid">Whether the value fits the field's type.</param>
/// <param name="Value">The normalised value when valid (<c>null</c> clears the field).</param>
/// <param name="Error">Why the value was refused, in words an admin understands.</param>
public sealed record FieldValueResult(bool IsValid, string? Value, string? Error)
{
    /// <summary>A valid, normalised value.</summary>
    public static FieldValueResult Ok(string? value) => new(true, value, null);

    /// <summary>A refused value.</summary>
    public static FieldValueResult Invalid(string error) => new(false, null, error);
}

/// <summary>The account's registration fields, as loaded for the current step.</summary>
public interface IFieldCatalog
{
    /// <summary>Every field, built-in ones included.</summary>
    IReadOnlyCollection<FieldDefinition> All { get; }

    /// <summary>Finds a field by key.</summary>
    bool TryGet(string key, out FieldDefinition definition);

    /// <summary>Validates and normalises <paramref name="value"/> for the field <paramref name="key"/>; an unknown key is invalid.</summary>
    FieldValueResult Normalize(string key, string? value);

    /// <summary>The field's value as a plain typed value: <c>decimal</c> for numbers, <c>bool</c> for booleans, <c>null</c> when empty, else the text.</summary>
    object? ToTyped(string key, string? value);
}
