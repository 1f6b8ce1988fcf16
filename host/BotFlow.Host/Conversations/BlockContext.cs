using BotFlow.Host.Contacts;
using BotFlow.Host.Fields;
using BotFlow.Sdk.Context;
using BotFlow.Sdk.Executions;
using BotFlow.Sdk.Fields;
using BotFlow.Sdk.Templates;

namespace BotFlow.Host.Conversations;

/// <summary>The mutable state of one handled message, shared by the contexts of the blocks it runs.</summary>
public sealed class BlockContextState
{
    public required string FlowId { get; init; }
    public required int FlowVersion { get; init; }
    public required string ContactId { get; init; }
    public required string ConversationId { get; init; }
    public required string Channel { get; init; }
    public required FieldCatalog FieldCatalog { get; init; }
    public required Dictionary<string, string> Fields { get; init; }
    public required Dictionary<string, object?> Vars { get; init; }
    public object? Response { get; set; }
    public required ITemplateEngine Templates { get; init; }
    public required ILogger Logger { get; init; }
    public required TimeProvider Clock { get; init; }
    public string BlockId { get; set; } = "";
    public string? Input { get; set; }
    public IReadOnlyCollection<string> ConnectedExits { get; set; } = [];
    public CancellationToken CancellationToken { get; set; }
    public bool FieldsChanged { get; set; }
    public List<NewMessage> Outgoing { get; } = [];
    public List<ExecutionRecord> Executions { get; } = [];
    public List<(string BlockId, Sdk.Jobs.BackgroundRequest Request)> BackgroundRequests { get; } = [];
    public bool BlockSupportsBackground { get; set; }
    public BlockRunMode Mode { get; init; } = BlockRunMode.Conversation;

    public TemplateScope CreateScope() => new()
    {
        Contact = FieldCatalog.TypedFields(Fields),
        Vars = Vars,
        Response = Response,
    };
}

/// <summary>What a block sees. Every change goes into <see cref="BlockContextState"/> and is committed with the step.</summary>
public sealed class BlockContext<TConfig>(BlockContextState state, TConfig config) : IBlockContext<TConfig> where TConfig : class
{
    public TConfig Config => config;
    object IBlockContext.Config => config;
    public string FlowId => state.FlowId;
    public int FlowVersion => state.FlowVersion;
    public string BlockId => state.BlockId;
    public string ContactId => state.ContactId;
    public string ConversationId => state.ConversationId;
    public string? Input => state.Input;
    public IReadOnlyDictionary<string, string> Fields => state.Fields;
    public IFieldCatalog FieldCatalog => state.FieldCatalog;
    public IReadOnlyDictionary<string, object?> Vars => state.Vars;
    public object? Response => state.Response;
    public IReadOnlyCollection<string> ConnectedExits => state.ConnectedExits;
    public ITemplateEngine Templates => state.Templates;
    public ILogger Logger => state.Logger;
    public TimeProvider Clock => state.Clock;
    public CancellationToken CancellationToken => state.CancellationToken;
    public BlockRunMode Mode => state.Mode;

    public void RecordExecution(ExecutionRecord record) => state.Executions.Add(record);

    public void ScheduleBackground(Sdk.Jobs.BackgroundRequest request)
    {
        if (!state.BlockSupportsBackground)
        {
            throw new InvalidOperationException($"block '{state.BlockId}' cannot run in the background: its type does not implement IBackgroundBlock");
        }

        if (state.Mode is BlockRunMode.Preview or BlockRunMode.Test)
        {
            return; // the editor's runs never leave work behind
        }

        state.BackgroundRequests.Add((state.BlockId, request));
    }

    public FieldValueResult SetField(string key, string? value)
    {
        var result = state.FieldCatalog.Normalize(key, value);
        if (!result.IsValid)
        {
            return result;
        }

        if (result.Value is null)
        {
            state.FieldsChanged |= state.Fields.Remove(key);
        }
        else if (!state.Fields.TryGetValue(key, out var old) || old != result.Value)
        {
            state.Fields[key] = result.Value;
            state.FieldsChanged = true;
        }

        return result;
    }

    public void SetVar(string key, object? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        state.Vars[key] = value;
    }

    public void SetResponse(object? response) => state.Response = response;

    public ValueTask SendAsync(string text, CancellationToken cancellationToken = default) => SendMenuAsync(text, [], cancellationToken);

    public ValueTask SendMenuAsync(string text, IReadOnlyList<Sdk.Channels.OutgoingOption> options, CancellationToken cancellationToken = default)
    {
        if (!string.IsNullOrEmpty(text))
        {
            // The test channel hands replies back in its HTTP answer, so they are delivered when committed.
            var status = state.Channel == Channels.Test ? MessageStatuses.Delivered : MessageStatuses.Pending;
            var optionsJson = options.Count == 0 ? null : Newtonsoft.Json.JsonConvert.SerializeObject(options.Select(o => new { key = o.Key, label = o.Label }));
            state.Outgoing.Add(new NewMessage(MessageDirections.Out, text, state.BlockId, status, state.Channel, state.Clock.GetUtcNow(), optionsJson));
        }

        return ValueTask.CompletedTask;
    }

    public string Render(string template)
    {
        var result = state.Templates.Render(state.Templates.Parse(template), CreateScope());
        foreach (var warning in result.Warnings)
        {
            state.Logger.LogWarning("Block {BlockId}: {Warning}", state.BlockId, warning);
        }

        if (!result.Succeeded)
        {
            state.Logger.LogWarning("Block {BlockId}: template failed: {Error}", state.BlockId, result.Error);
        }

        return result.Text;
    }

    public TemplateScope CreateScope() => state.CreateScope();
}

public static class Channels
{
    /// <summary>The built-in test channel: the conversation endpoint answers with the replies.</summary>
    public const string Test = "test";
}
