using BotFlow.Sdk.Fields;
using BotFlow.Sdk.Templates;

namespace BotFlow.Sdk.Validation;

/// <summary>
/// Collects the problems of one block's config when a flow is validated (on save and on <c>validate</c>).
/// Every problem is reported at once, each with a JSON path inside the block such as <c>config.body[2].key</c>.
/// </summary>
public interface IBlockValidationContext
{
    /// <summary>The id of the block being validated.</summary>
    string BlockId { get; }

    /// <summary>The account's registration fields, to check that referenced fields exist.</summary>
    IFieldCatalog Fields { get; }

    /// <summary>The template engine, to check template syntax.</summary>
    ITemplateEngine Templates { get; }

    /// <summary>Reports an error: the flow is not saved.</summary>
    /// <param name="path">JSON path inside the block (<c>config.url</c>).</param>
    /// <param name="message">What is wrong, in words an admin understands.</param>
    void Error(string path, string message);

    /// <summary>Reports a warning: the flow is saved, the editor shows it.</summary>
    void Warning(string path, string message);

    /// <summary>Parses <paramref name="template"/> and reports each syntax error at <paramref name="path"/> with its line and column.</summary>
    /// <param name="path">JSON path of the template inside the block.</param>
    /// <param name="template">The template text; <c>null</c> or empty is accepted.</param>
    /// <param name="allowSecrets">True where <c>secrets</c> may be referenced (request templates, never messages).</param>
    void CheckTemplate(string path, string? template, bool allowSecrets = false);
}
