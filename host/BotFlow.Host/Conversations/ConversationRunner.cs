using BotFlow.Host.Contacts;
using BotFlow.Host.Fields;
using BotFlow.Host.Flows;
using BotFlow.Host.Plugins;
using BotFlow.Host.Templates;
using BotFlow.Sdk.Blocks;
using BotFlow.Sdk.Templates;
using Microsoft.Extensions.Options;

namespace BotFlow.Host.Conversations;

/// <summary>What the conversation endpoint answers.</summary>
public sealed record ConversationReply(string Text);

public sealed record ConversationResult(IReadOnlyList<ConversationReply> Replies, string Status, string? BlockId, string? Department, string ConversationId, IReadOnlyList<string>? Errors = null);

/// <summary>Why a message could not be handled; nothing was stored.</summary>
public enum ConversationRefusal
{
    None,
    FlowNotFound,
    InvalidFields,
    /// <summary>A channel redelivered a message that was already handled.</summary>
    Duplicate,
}

/// <summary>
/// Runs a contact's message through a flow: one contact at a time, blocks run until one waits, the flow ends or the
/// conversation is transferred, then the contact, the conversation state and every message in and out are committed
/// together. A crash before the commit loses only the unanswered message, never half a step.
/// </summary>
public sealed class ConversationRunner(
    FlowService flowService,
    FieldService fields,
    IConversationStore store,
    IContactLocks locks,
    ITemplateEngine templates,
    TimeProvider clock,
    IOptions<FlowsOptions> flowOptions,
    IOptions<PluginsOptions> pluginOptions,
    IHostApplicationLifetime lifetime,
    Jobs.IBackgroundScheduler scheduler,
    BotFlow.Host.Channels.IOutboxDispatcher outbox,
    BotFlow.Host.Channels.HandoffEvents handoff,
    BotFlow.Host.Channels.IEventDispatcher eventDispatcher,
    ILogger<ConversationRunner> logger)
{
    /// <summary>A message on the built-in test channel: replies are delivered in the HTTP answer.</summary>
    public Task<(ConversationResult? Result, ConversationRefusal Refusal, IReadOnlyList<(string Field, string Message)> Problems)> HandleAsync(
        string flowId, string contactId, string? text, IReadOnlyDictionary<string, string?>? fieldUpdates, bool restart, CancellationToken ct) =>
        HandleAsync(Channels.Test, null, flowId, contactId, text, fieldUpdates, restart, ct);

    /// <summary>
    /// A message on <paramref name="channel"/>: replies are stored <c>pending</c> in the outbox with the step and handed to
    /// the channel's delivery job after the commit. With <paramref name="inboundKey"/> a redelivered message is refused as
    /// <see cref="ConversationRefusal.Duplicate"/> (checked under the contact's lock, recorded in the step's transaction).
    /// </summary>
    public async Task<(ConversationResult? Result, ConversationRefusal Refusal, IReadOnlyList<(string Field, string Message)> Problems)> HandleAsync(
        string channel, InboundKey? inboundKey, string flowId, string contactId, string? text, IReadOnlyDictionary<string, string?>? fieldUpdates, bool restart, CancellationToken ct)
    {
        await using var _ = await locks.AcquireAsync(contactId, ct);
        // Everything the step reads before its blocks run, in one read (one snapshot on SQLite): under load the reads
        // of a step cost more in transaction set-up than in the rows they return.
        var snapshot = await store.LoadStepAsync(flowId, contactId, withConversation: !restart, inboundKey, ct);
        if (snapshot.LatestFlowVersion is not { } flowVersion)
        {
            return (null, ConversationRefusal.FlowNotFound, []);
        }

        if (snapshot.InboundSeen)
        {
            return (null, ConversationRefusal.Duplicate, []);
        }

        var catalog = fields.CatalogOf(snapshot.Fields);
        var contact = snapshot.Contact;
        // Sized once for the fields the contact has, those the message sets and two that blocks may save (an integration
        // saving a value otherwise grew it again on most steps: a second hash table per step, docs/benchmarks.md).
        var contactFields = new Dictionary<string, string>((contact?.Fields.Count ?? 0) + (fieldUpdates?.Count ?? 0) + 2, StringComparer.Ordinal);
        if (contact is not null)
        {
            foreach (var (key, value) in contact.Fields)
            {
                contactFields[key] = value;
            }
        }

        var fieldsChanged = contact is null;

        if (fieldUpdates is not null)
        {
            var problems = new List<(string, string)>();
            foreach (var (key, value) in fieldUpdates)
            {
                var normalized = catalog.Normalize(key, value);
                if (!normalized.IsValid)
                {
                    problems.Add(($"fields.{key}", normalized.Error!));
                }
                else if (normalized.Value is null)
                {
                    fieldsChanged |= contactFields.Remove(key);
                }
                else if (!contactFields.TryGetValue(key, out var old) || old != normalized.Value)
                {
                    contactFields[key] = normalized.Value;
                    fieldsChanged = true;
                }
            }

            if (problems.Count > 0)
            {
                return (null, ConversationRefusal.InvalidFields, problems);
            }
        }

        var conversation = snapshot.Conversation;
        var now = clock.GetUtcNow();
        var inbound = text is null ? null : new NewMessage(MessageDirections.In, text, conversation?.BlockId, MessageStatuses.Received, channel, now);

        if (conversation is { Status: ConversationStatuses.Transferred })
        {
            // A human has the chat: the bot stores what the contact says, stays silent, and forwards it to the human team.
            var forwarded = inbound is null
                ? []
                : handoff.For(BotFlow.Host.Channels.EventTypes.Message, BotFlow.Host.Channels.HandoffEvents.Message(conversation, contactFields, text!, channel), now);
            await store.CommitAsync(new StepCommit(contactId, contactFields, fieldsChanged, conversation with { UpdatedAt = now }, inbound is null ? [] : [inbound],
                Inbound: inboundKey, Events: forwarded), CancellationToken.None);
            if (forwarded.Count > 0)
            {
                await eventDispatcher.DispatchAsync(contactId, CancellationToken.None);
            }

            return (new ConversationResult([], conversation.Status, conversation.BlockId, conversation.Department, conversation.Id), ConversationRefusal.None, []);
        }

        var starting = conversation is null || conversation.Status == ConversationStatuses.Ended;
        if (starting)
        {
            // A new run replaces the ended one's row, so it takes over the large state that row kept elsewhere (to replace it).
            conversation = new ConversationRecord(BotFlow.Sdk.Data.TimeOrderedIds.New(now), flowId, contactId, flowVersion, ConversationStatuses.Waiting,
                null, false, "{}", null, null, now, now) { PayloadId = conversation?.PayloadId };
        }

        var compiled = await flowService.GetCompiledAsync(flowId, conversation!.FlowVersion, ct)
                       ?? throw new FlowUnavailableException(flowId, conversation.FlowVersion, "the version is no longer stored");

        var state = new BlockContextState
        {
            FlowId = flowId,
            FlowVersion = compiled.Version,
            ContactId = contactId,
            ConversationId = conversation.Id,
            Channel = channel,
            FieldCatalog = catalog,
            Fields = contactFields,
            Vars = PlainData.ParseObject(conversation.VarsJson),
            Response = conversation.ResponseJson is null ? null : PlainData.ResponseFromJson(conversation.ResponseJson),
            Templates = templates,
            Logger = logger,
            Clock = clock,
        };

        var errors = new List<string>();
        var outcome = await RunBlocksAsync(compiled, state, starting ? compiled.Start : conversation.BlockId!, resume: !starting && conversation.Waiting, text, errors);
        state.FieldsChanged |= fieldsChanged;

        var finished = conversation with
        {
            Status = outcome.Status,
            BlockId = outcome.BlockId,
            Waiting = outcome.Status == ConversationStatuses.Waiting,
            VarsJson = PlainData.ToJson(state.Vars),
            ResponseJson = state.Response is null ? null : PlainData.ResponseToJson(state.Response),
            Department = outcome.Department,
            UpdatedAt = clock.GetUtcNow(),
        };

        var messages = new List<NewMessage>(state.Outgoing.Count + 1);
        if (inbound is not null)
        {
            messages.Add(inbound with { BlockId = starting ? compiled.Start : conversation.BlockId });
        }

        messages.AddRange(state.Outgoing);

        // Most steps schedule nothing: no query and list for them.
        List<Jobs.BackgroundExecution> background = state.BackgroundRequests.Count == 0 ? [] : state.BackgroundRequests
            .Select(r => Jobs.BackgroundRows.From(r.Request, flowId, compiled.Version, r.BlockId, contactId, clock.GetUtcNow())).ToList();

        // The event's data is built only when a subscriber takes that type.
        IReadOnlyList<BotFlow.Host.Channels.NewEvent> events = EventTypeOf(finished.Status) is { } eventType && handoff.Wanted(eventType)
            ? handoff.For(eventType, BotFlow.Host.Channels.HandoffEvents.Conversation(finished, contactFields), finished.UpdatedAt)
            : [];

        // The step is committed even if the caller went away: the contact's answer and the bot's state must not diverge.
        var ids = await store.CommitAsync(new StepCommit(contactId, contactFields, state.FieldsChanged, finished, messages, state.Executions, background, Inbound: inboundKey,
            Events: events), CancellationToken.None);
        if (events.Count > 0)
        {
            // After the commit, like the outbox: the event rows exist before any job looks for them.
            await eventDispatcher.DispatchAsync(contactId, CancellationToken.None);
        }

        if (channel != Channels.Test && state.Outgoing.Count > 0)
        {
            // After the commit, like background jobs: the outbox rows exist before any job looks for them.
            await outbox.DispatchAsync(ids[messages.Count - state.Outgoing.Count], CancellationToken.None);
        }

        if (background.Count > 0)
        {
            // After the commit: a job never runs for a step that was not stored. A crash in between leaves the row pending, picked up at start.
            await scheduler.EnqueueAsync(background, CancellationToken.None);
        }

        var replies = state.Outgoing.Select(m => new ConversationReply(m.Text)).ToList();
        return (new ConversationResult(replies, finished.Status, finished.BlockId, finished.Department, finished.Id, errors.Count > 0 ? errors : null), ConversationRefusal.None, []);
    }

    /// <summary>
    /// Hands the contact's transferred conversations back to the bot: each ends (with a <c>conversation.ended</c> event,
    /// reason <c>released</c>), so the contact's next message starts its flow again. <c>null</c> for an unknown contact.
    /// </summary>
    public async Task<IReadOnlyList<string>?> ReleaseAsync(string contactId, CancellationToken ct)
    {
        await using var _ = await locks.AcquireAsync(contactId, ct);
        if (await store.GetContactAsync(contactId, ct) is not { } contact)
        {
            return null;
        }

        var released = new List<string>();
        foreach (var conversation in await store.ListByStatusAsync(contactId, ConversationStatuses.Transferred, ct))
        {
            var now = clock.GetUtcNow();
            var ended = conversation with { Status = ConversationStatuses.Ended, Waiting = false, UpdatedAt = now };
            var data = BotFlow.Host.Channels.HandoffEvents.Conversation(ended, contact.Fields);
            data["reason"] = "released";
            var events = handoff.For(BotFlow.Host.Channels.EventTypes.Ended, data, now);
            await store.CommitAsync(new StepCommit(contactId, contact.Fields, false, ended, [], UpsertContact: false, Events: events), CancellationToken.None);
            if (events.Count > 0)
            {
                await eventDispatcher.DispatchAsync(contactId, CancellationToken.None);
            }

            released.Add(conversation.Id);
        }

        return released;
    }

    /// <summary>The hand-off event a step that ends in <paramref name="status"/> reports, if any.</summary>
    private static string? EventTypeOf(string status) => status switch
    {
        ConversationStatuses.Transferred => BotFlow.Host.Channels.EventTypes.Transferred,
        ConversationStatuses.Ended => BotFlow.Host.Channels.EventTypes.Ended,
        _ => null,
    };

    private sealed record StepOutcome(string Status, string? BlockId, string? Department);

    private async Task<StepOutcome> RunBlocksAsync(CompiledFlow flow, BlockContextState state, string blockId, bool resume, string? input, List<string> errors)
    {
        using var timeouts = new BlockTimeouts(lifetime.ApplicationStopping);
        var maxSteps = flowOptions.Value.MaxStepsPerMessage;
        for (var step = 0; ; step++)
        {
            if (step >= maxSteps)
            {
                errors.Add($"stopped after {maxSteps} blocks without waiting for the contact: the flow loops");
                logger.LogWarning("Flow {FlowId} ran {Steps} blocks for one message at block {BlockId}; conversation ended as a loop", flow.Id, maxSteps, blockId);
                return new StepOutcome(ConversationStatuses.Ended, blockId, null);
            }

            if (!flow.Blocks.TryGetValue(blockId, out var block))
            {
                errors.Add($"block '{blockId}' does not exist in flow version {flow.Version}");
                return new StepOutcome(ConversationStatuses.Ended, blockId, null);
            }

            state.BlockId = blockId;
            state.Input = resume ? input : null;
            state.ConnectedExits = block.ExitNames;
            var result = await RunOneAsync(block, state, resume, errors, timeouts.Next());
            resume = false;

            switch (result.Outcome)
            {
                case BlockOutcome.Wait:
                    return new StepOutcome(ConversationStatuses.Waiting, blockId, null);
                case BlockOutcome.End:
                    return new StepOutcome(ConversationStatuses.Ended, blockId, null);
                case BlockOutcome.Transfer:
                    return new StepOutcome(ConversationStatuses.Transferred, blockId, result.Department);
                default:
                    if (result.ExitName is { } exit && block.Exits.TryGetValue(exit, out var next))
                    {
                        blockId = next;
                        continue;
                    }

                    // An exit the flow leaves unconnected ends the conversation there (flow-format.md).
                    return new StepOutcome(ConversationStatuses.Ended, blockId, null);
            }
        }
    }

    /// <summary>
    /// The cancellation a step's blocks run under: one source (and one timer) for the step, reset and re-armed for each
    /// block (a new source only after a block was cancelled), linked to the host's stopping. A source and a timer per block
    /// were about 0.3 KB per block, most of them for blocks that never wait (docs/benchmarks.md, twelfth pass).
    /// </summary>
    private sealed class BlockTimeouts(CancellationToken stopping) : IDisposable
    {
        private CancellationTokenSource? _source;

        public CancellationTokenSource Next()
        {
            if (_source is null || !_source.TryReset())
            {
                _source?.Dispose();
                _source = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            }

            return _source;
        }

        public void Dispose() => _source?.Dispose();
    }

    private ValueTask<BlockResult> RunOneAsync(CompiledBlock block, BlockContextState state, bool resume, List<string> errors, CancellationTokenSource timeout)
    {
        timeout.CancelAfter(pluginOptions.Value.BlockTimeout);
        state.CancellationToken = timeout.Token;
        state.BlockSupportsBackground = block.Type.Block is Sdk.Jobs.IBackgroundBlock;
        ValueTask<BlockResult> pending;
        try
        {
            var context = block.Type.CreateContext(state, block.Config);
            pending = resume ? block.Type.Block.ResumeAsync(context) : block.Type.Block.RunAsync(context);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return ValueTask.FromResult(Failed(block, state, errors, ex, timeout));
        }

        // A block that finished without waiting (a message, a question, an end) needs no async frame.
        return pending.IsCompletedSuccessfully ? ValueTask.FromResult(pending.Result) : AwaitBlockAsync(pending, block, state, errors, timeout);
    }

    private async ValueTask<BlockResult> AwaitBlockAsync(ValueTask<BlockResult> pending, CompiledBlock block, BlockContextState state, List<string> errors,
        CancellationTokenSource timeout)
    {
        try
        {
            return await pending;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Failed(block, state, errors, ex, timeout);
        }
    }

    private BlockResult Failed(CompiledBlock block, BlockContextState state, List<string> errors, Exception ex, CancellationTokenSource timeout)
    {
        // A plugin's fault ends this path of the conversation, never the host, and keeps the contact's data.
        var reason = ex is OperationCanceledException && timeout.IsCancellationRequested
            ? $"block '{block.Id}' ({block.Type.Type}) did not finish within {pluginOptions.Value.BlockTimeout.TotalSeconds:0.#} s"
            : $"block '{block.Id}' ({block.Type.Type}) failed: {ex.GetType().Name}: {ex.Message}";
        errors.Add(reason);
        logger.LogError(ex, "Flow {FlowId} block {BlockId} of type {BlockType} failed", state.FlowId, block.Id, block.Type.Type);
        return block.Exits.ContainsKey("error") ? BlockResult.Exit("error") : BlockResult.End();
    }
}
