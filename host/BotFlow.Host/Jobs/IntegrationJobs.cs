using System.ComponentModel;
using BotFlow.Host.Conversations;
using BotFlow.Host.Executions;
using BotFlow.Host.Fields;
using BotFlow.Host.Flows;
using BotFlow.Host.Plugins;
using BotFlow.Host.Templates;
using BotFlow.Sdk.Context;
using BotFlow.Sdk.Executions;
using BotFlow.Sdk.Jobs;
using BotFlow.Sdk.Templates;
using Hangfire;
using Hangfire.Common;
using Hangfire.Server;
using Hangfire.States;
using Microsoft.Extensions.Options;
using Newtonsoft.Json.Linq;

namespace BotFlow.Host.Jobs;

/// <summary>A background try failed. <see cref="RetryDelay"/> set: Hangfire schedules the next try; else the job ends Failed.</summary>
public sealed class BackgroundTryFailedException(string message, TimeSpan? retryDelay) : Exception(message)
{
    public TimeSpan? RetryDelay { get; } = retryDelay;
}

/// <summary>
/// The job entry points Hangfire runs. They live in the host (Hangfire cannot resolve plugin types) and take ids only:
/// each try re-reads the execution row, the flow version it was created with, the contact and fresh secrets, then hands
/// the try to the block through the SDK. A successful try's fields, message and execution record are committed
/// together with the row's <c>succeeded</c> status, so a replayed job never applies them twice.
/// </summary>
public sealed class IntegrationJobs(
    IBackgroundStore store,
    IFlowStore flowStore,
    FlowService flows,
    FieldService fields,
    IConversationStore conversations,
    IContactLocks locks,
    IExecutionStore executions,
    FlowValidator validator,
    ITemplateEngine templates,
    TimeProvider clock,
    IOptions<PluginsOptions> pluginOptions,
    Channels.IOutboxDispatcher outbox,
    Channels.HandoffEvents handoff,
    Channels.IEventDispatcher eventDispatcher,
    BotFlow.Sdk.Secrets.ISecretReader secrets,
    ILogger<IntegrationJobs> logger)
{
    [DisplayName("Integration {1} · flow {2} · contact {3}")]
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [BackgroundTryRetry]
    public async Task RunTryAsync(string executionId, string blockId, string flowId, string contactLabel, PerformContext? perform, CancellationToken cancellationToken)
    {
        var row = await store.ClaimAttemptAsync(executionId, cancellationToken)
                  ?? throw new BackgroundTryFailedException($"execution {executionId} no longer exists (the contact may have been erased)", null);
        if (row.Status == BackgroundStatuses.Succeeded)
        {
            logger.LogInformation("Execution {ExecutionId} already succeeded; nothing to do", executionId);
            return;
        }

        var attempt = row.NextAttempt;
        var isLast = attempt >= row.LastAttempt;
        if (await flowStore.GetAsync(row.FlowId!, cancellationToken) is null)
        {
            var deleted = $"flow '{row.FlowId}' was deleted; the background try of block '{row.BlockId}' will not run";
            await FailRowAsync(row, deleted);
            throw new BackgroundTryFailedException(deleted, null);
        }

        var flow = await flows.GetCompiledAsync(row.FlowId!, row.FlowVersion ?? 0, cancellationToken);
        if (flow is null || !flow.Blocks.TryGetValue(row.BlockId!, out var block))
        {
            await FailRowAsync(row, $"flow '{row.FlowId}' version {row.FlowVersion} or its block '{row.BlockId}' no longer exists");
            throw new BackgroundTryFailedException($"flow '{row.FlowId}' version {row.FlowVersion} or its block '{row.BlockId}' no longer exists", null);
        }

        if (block.Type.Block is not IBackgroundBlock background)
        {
            throw new BackgroundTryFailedException($"block type '{block.Type.Type}' cannot run in the background", null);
        }

        await using var _ = await locks.AcquireAsync(row.ContactId!, cancellationToken);
        var contact = await conversations.GetContactAsync(row.ContactId!, cancellationToken)
                      ?? throw new BackgroundTryFailedException($"contact of execution {executionId} no longer exists", null);
        var conversation = await conversations.GetAsync(row.FlowId!, row.ContactId!, cancellationToken);
        // A background reply goes where the contact last wrote from, through that channel's outbox.
        var channel = await conversations.LastInboundChannelAsync(contact.Id, cancellationToken) ?? Conversations.Channels.Test;
        var state = new BlockContextState
        {
            FlowId = flow.Id,
            FlowVersion = flow.Version,
            ContactId = contact.Id,
            ConversationId = conversation?.Id ?? executionId,
            Channel = channel,
            FieldCatalog = await fields.GetCatalogAsync(cancellationToken),
            Fields = new Dictionary<string, string>(contact.Fields, StringComparer.Ordinal),
            Vars = PlainData.ParseObject(conversation?.VarsJson),
            Response = conversation?.ResponseJson is { } response ? PlainData.ResponseFromJson(response) : null,
            Templates = templates,
            Logger = logger,
            Clock = clock,
            Mode = BlockRunMode.Background,
            BlockId = block.Id,
            ConnectedExits = block.ExitNames,
        };

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(pluginOptions.Value.BlockTimeout);
        state.CancellationToken = timeout.Token;
        state.BlockSupportsBackground = true;
        var jobId = perform?.BackgroundJob.Id;
        var result = await background.RunBackgroundTryAsync(block.Type.CreateContext(state, block.Config), new BackgroundTry(executionId, attempt, row.Kind, jobId, isLast));

        var now = clock.GetUtcNow();
        var status = result.Succeeded ? BackgroundStatuses.Succeeded : isLast || !result.Retryable ? BackgroundStatuses.Failed : BackgroundStatuses.Pending;
        var updated = row with { Status = status, Error = result.Error, JobId = jobId, UpdatedAt = now };
        var records = state.Executions.Select(e => WithJob(e, jobId)).ToList();
        // Effects only on success, and in the same transaction as the status that makes a replay a no-op.
        var failedEvents = status == BackgroundStatuses.Failed
            ? await FailedEventsAsync(updated, result.Error ?? "the integration gave no reason", now)
            : [];
        var ids = await conversations.CommitAsync(new StepCommit(contact.Id, state.Fields, result.Succeeded && state.FieldsChanged, null,
            result.Succeeded ? state.Outgoing : [], records, [updated], Events: failedEvents), CancellationToken.None);
        if (failedEvents.Count > 0)
        {
            await eventDispatcher.DispatchAsync(contact.Id, CancellationToken.None);
        }

        if (result.Succeeded && ids.Count > 0 && channel != Conversations.Channels.Test)
        {
            await outbox.DispatchAsync(ids[0], CancellationToken.None);
        }

        if (result.Succeeded)
        {
            logger.LogInformation("Background try {Attempt} of execution {ExecutionId} succeeded", attempt, executionId);
            return;
        }

        var retry = !isLast && result.Retryable ? row.DelayBefore(attempt + 1) : (TimeSpan?)null;
        throw new BackgroundTryFailedException($"try {attempt} of {row.LastAttempt} failed: {result.Error}", retry);
    }

    [DisplayName("Recurring integration {0}")]
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunRecurringAsync(string recurringId, PerformContext? perform, CancellationToken cancellationToken)
    {
        var recurring = await store.GetRecurringAsync(recurringId, cancellationToken)
                        ?? throw new BackgroundTryFailedException($"recurring integration '{recurringId}' no longer exists", null);
        var catalog = await fields.GetCatalogAsync(cancellationToken);
        var (compiled, errors, _) = validator.ValidateBlockConfig("integration", JObject.Parse(recurring.ConfigJson), catalog);
        if (compiled is null || compiled.Type.Block is not IBackgroundBlock background)
        {
            throw new BackgroundTryFailedException($"recurring integration '{recurringId}' is not valid: " + string.Join("; ", errors.Select(e => $"{e.Path}: {e.Message}")), null);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(pluginOptions.Value.BlockTimeout);
        var state = new BlockContextState
        {
            FlowId = "recurring:" + recurringId,
            FlowVersion = 0,
            ContactId = "",
            ConversationId = recurringId,
            Channel = Conversations.Channels.Test,
            FieldCatalog = catalog,
            Fields = new Dictionary<string, string>(StringComparer.Ordinal),
            Vars = new Dictionary<string, object?>(StringComparer.Ordinal),
            Templates = templates,
            Logger = logger,
            Clock = clock,
            Mode = BlockRunMode.Background,
            BlockId = recurringId,
            CancellationToken = timeout.Token,
        };
        var executionId = BotFlow.Sdk.Executions.ExecutionIds.New();
        var jobId = perform?.BackgroundJob.Id;
        var result = await background.RunBackgroundTryAsync(compiled.Type.CreateContext(state, compiled.Config),
            new BackgroundTry(executionId, 1, ExecutionKinds.Recurring, jobId, IsLastAttempt: true));
        // Recurring runs have no contact: their records keep no contact and no flow, only what ran.
        await executions.AddAsync(state.Executions.Select(e => WithJob(e, jobId, recurring: recurringId)).ToList(), CancellationToken.None);
        if (!result.Succeeded)
        {
            throw new BackgroundTryFailedException($"recurring integration '{recurringId}' failed: {result.Error}", null);
        }
    }

    private async Task FailRowAsync(BackgroundExecution row, string error)
    {
        var now = clock.GetUtcNow();
        var events = await FailedEventsAsync(row, error, now);
        await conversations.CommitAsync(new StepCommit(row.ContactId!, new Dictionary<string, string>(), false, null, [], [],
            [row with { Status = BackgroundStatuses.Failed, Error = error, UpdatedAt = now }], UpsertContact: false, Events: events), CancellationToken.None);
        if (events.Count > 0)
        {
            await eventDispatcher.DispatchAsync(row.ContactId!, CancellationToken.None);
        }
    }

    /// <summary><c>integration.failed</c> for the human team, its error masked: a failed request's error may quote a secret it carried.</summary>
    private async Task<IReadOnlyList<Channels.NewEvent>> FailedEventsAsync(BackgroundExecution row, string error, DateTimeOffset now)
    {
        var data = new Newtonsoft.Json.Linq.JObject
        {
            ["executionId"] = row.Id,
            ["flowId"] = row.FlowId,
            ["blockId"] = row.BlockId,
            ["contactId"] = row.ContactId,
            ["error"] = Channels.HandoffEvents.Mask(error, await secrets.ReadAllAsync(CancellationToken.None)),
        };
        return handoff.For(Channels.EventTypes.IntegrationFailed, data, now);
    }

    private static ExecutionRecord WithJob(ExecutionRecord record, string? jobId, string? recurring = null) => new()
    {
        Id = record.Id,
        Kind = recurring is null ? record.Kind : ExecutionKinds.Recurring,
        Attempt = record.Attempt,
        FlowId = recurring is null ? record.FlowId : null,
        FlowVersion = recurring is null ? record.FlowVersion : null,
        BlockId = recurring ?? record.BlockId,
        ContactId = recurring is null ? record.ContactId : null,
        JobId = jobId ?? record.JobId,
        StartedAt = record.StartedAt,
        DurationMs = record.DurationMs,
        Outcome = record.Outcome,
        Error = record.Error,
        Warnings = record.Warnings,
        Request = record.Request,
        Response = record.Response,
        IdempotencyKey = record.IdempotencyKey,
    };
}

/// <summary>
/// Replaces Hangfire's automatic retry (10 tries over hours) with the block's own schedule: a failed try that asked for
/// a retry is scheduled after its backoff delay; any other failure stays Failed for an operator to requeue.
/// </summary>
public sealed class BackgroundTryRetryAttribute : JobFilterAttribute, IElectStateFilter
{
    public BackgroundTryRetryAttribute() => Order = 20;

    public void OnStateElection(ElectStateContext context)
    {
        if (context.CandidateState is Hangfire.States.FailedState { Exception: BackgroundTryFailedException { RetryDelay: { } delay } failure })
        {
            context.CandidateState = new Hangfire.States.ScheduledState(delay) { Reason = $"Retry in {delay}: {failure.Message}" };
        }
    }
}
