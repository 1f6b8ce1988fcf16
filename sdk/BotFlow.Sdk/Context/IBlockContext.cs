using BotFlow.Sdk.Executions;
using BotFlow.Sdk.Fields;
using BotFlow.Sdk.Jobs;
using BotFlow.Sdk.Templates;
using Microsoft.Extensions.Logging;

namespace BotFlow.Sdk.Context;

/// <summary>
/// Everything a block may read and do while it runs for one contact: fields, variables, the last integration
/// response, sending messages, rendering templates, logging and the clock. The host persists every change made
/// through the context together with the conversation step, so a block never touches storage itself.
/// </summary>
public interface IBlockContext
{
    /// <summary>The flow being run.</summary>
    string FlowId { get; }

    /// <summary>The flow version this conversation started on (it keeps it until it ends).</summary>
    int FlowVersion { get; }

    /// <summary>The block being run.</summary>
    string BlockId { get; }

    /// <summary>The contact the conversation is with.</summary>
    string ContactId { get; }

    /// <summary>The conversation's id (a new one each time the flow starts over for the contact).</summary>
    string ConversationId { get; }

    /// <summary>The block's config, deserialised into the block type's config type and validated.</summary>
    object Config { get; }

    /// <summary>The contact's message that resumed the block, or <c>null</c> when the block was entered through an exit.</summary>
    string? Input { get; }

    /// <summary>The contact's registration fields (normalised text values), including changes made in this step.</summary>
    IReadOnlyDictionary<string, string> Fields { get; }

    /// <summary>The account's registration field definitions and their validation.</summary>
    IFieldCatalog FieldCatalog { get; }

    /// <summary>
    /// Validates <paramref name="value"/> by the field's type, normalises it (a CPF becomes 11 digits) and stores it
    /// for the contact. An empty or <c>null</c> value clears the field. Nothing is stored when the result is not valid.
    /// </summary>
    FieldValueResult SetField(string key, string? value);

    /// <summary>The flow variables: plain JSON-like values (string, number, bool, null, lists and string-keyed dictionaries).</summary>
    IReadOnlyDictionary<string, object?> Vars { get; }

    /// <summary>Sets a flow variable to a plain JSON-like value (see <see cref="Vars"/>); <c>null</c> keeps the key with a null value.</summary>
    void SetVar(string key, object? value);

    /// <summary>The last integration response as plain data (<c>status</c>, <c>headers</c>, <c>body</c>, <c>text</c>,
    /// <c>elapsedMs</c>, <c>error</c>), or <c>null</c> before the first integration of the conversation.</summary>
    object? Response { get; }

    /// <summary>Replaces the last integration response that later blocks and templates see as <c>response</c>.</summary>
    void SetResponse(object? response);

    /// <summary>The names of the exits the flow connects for this block (an exit not connected ends the conversation).</summary>
    IReadOnlyCollection<string> ConnectedExits { get; }

    /// <summary>
    /// Sends <paramref name="text"/> to the contact. The host stores it as an outgoing message in the same transaction
    /// as the step; the contact's channel delivers it. Empty text is not sent.
    /// </summary>
    ValueTask SendAsync(string text, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends <paramref name="text"/> with choices: channels that have native buttons or lists (WhatsApp, Telegram) show
    /// <paramref name="options"/> as such and return the picked option's key as the contact's answer; others send the
    /// text alone, so the text should list the options too. Stored like <see cref="SendAsync(string, CancellationToken)"/>.
    /// </summary>
    ValueTask SendMenuAsync(string text, IReadOnlyList<Channels.OutgoingOption> options, CancellationToken cancellationToken = default);

    /// <summary>
    /// Renders a block text: a Scriban template over <c>contact</c>, <c>vars</c> and <c>response</c> (never <c>secrets</c>),
    /// plus the compatibility placeholders <c>{data[url]}</c> that read the last response body. Templates are parsed once
    /// and cached; a missing placeholder path renders empty and is logged as a warning.
    /// </summary>
    string Render(string template);

    /// <summary>The scope that <see cref="Render"/> uses, for blocks that evaluate expressions or add their own values.</summary>
    TemplateScope CreateScope();

    /// <summary>The host's template engine (sandboxed Scriban with a cache of parsed templates).</summary>
    ITemplateEngine Templates { get; }

    /// <summary>A logger whose scope names the flow, block and contact.</summary>
    ILogger Logger { get; }

    /// <summary>The host's clock; use it instead of <see cref="DateTimeOffset.UtcNow"/> so tests can move time.</summary>
    TimeProvider Clock { get; }

    /// <summary>Cancelled when the block runs past its time limit or the host shuts down.</summary>
    CancellationToken CancellationToken { get; }

    /// <summary>Why the block runs: in a conversation, a background job, or the editor's preview/test (detached: nothing is stored).</summary>
    BlockRunMode Mode { get; }

    /// <summary>Records an external call; stored with the step (or at once outside a conversation) and listed at <c>/api/executions</c>.</summary>
    void RecordExecution(ExecutionRecord record);

    /// <summary>
    /// Asks for this block to run again in the background (see <see cref="BackgroundRequest"/>); the block type must
    /// implement <see cref="IBackgroundBlock"/>. Stored with the step; started by the host's job system after the commit.
    /// </summary>
    void ScheduleBackground(BackgroundRequest request);
}

/// <summary>Why a block runs.</summary>
public enum BlockRunMode
{
    /// <summary>In a conversation, for a contact's message.</summary>
    Conversation,
    /// <summary>The editor's preview: build, never send.</summary>
    Preview,
    /// <summary>The editor's test: send for real, store nothing about the contact.</summary>
    Test,
    /// <summary>A background or scheduled job for a contact.</summary>
    Background,
}

/// <summary>The context of a block whose config is a <typeparamref name="TConfig"/>.</summary>
/// <typeparam name="TConfig">The block's config type.</typeparam>
public interface IBlockContext<out TConfig> : IBlockContext where TConfig : class
{
    /// <summary>The block's config, deserialised and validated.</summary>
    new TConfig Config { get; }
}
