using BotFlow.Host.Conversations;
using Hangfire;
using BotFlow.Host.Errors;
using BotFlow.Host.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BotFlow.Host.Contacts;

public static class ContactsApi
{
    public sealed record ContactDto(string Id, IReadOnlyDictionary<string, string> Fields, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record MessageDto(long Id, string Direction, string Text, string Status, string Channel, string? FlowId, string? BlockId, string? ConversationId, DateTimeOffset CreatedAt,
        string? Error = null, int Attempts = 0, DateTimeOffset? UpdatedAt = null);

    public sealed record ContactExport(ContactDto Contact, IReadOnlyList<MessageDto> Messages, IReadOnlyList<ConversationRecord> Conversations,
        IReadOnlyList<Sdk.Executions.ExecutionRecord> Executions);

    public static RouteGroupBuilder MapContacts(this IEndpointRouteBuilder routes)
    {
        var contacts = routes.MapGroup("/contacts/{contactId}").WithTags("Contacts");
        contacts.MapGet("/", GetContact).RequireAuthorization(Policies.ReadContact).WithSummary("A contact and its registration fields");
        contacts.MapGet("/messages", GetMessages).RequireAuthorization(Policies.ReadContact).WithSummary("Every message in and out, oldest first");
        contacts.MapGet("/export", Export).RequireAuthorization(Policies.Admin).WithSummary("Everything stored about the contact (LGPD)");
        contacts.MapPost("/release", Release).RequireAuthorization(Policies.Edit)
            .WithSummary("Hand the contact's transferred conversations back to the bot (they end; the next message starts the flow again)");
        contacts.MapDelete("/", Erase).RequireAuthorization(Policies.Admin).WithSummary("Erase the contact everywhere (LGPD)");
        return contacts;
    }

    private static async Task<Results<Ok<ContactDto>, ProblemHttpResult>> GetContact(string contactId, IContactStore store, CancellationToken ct) =>
        await store.GetAsync(contactId, ct) is { } c ? TypedResults.Ok(ToDto(c)) : Problems.NotFound($"there is no contact '{contactId}'");

    private static async Task<Results<Ok<List<MessageDto>>, ProblemHttpResult>> GetMessages(
        string contactId, IContactStore store, CancellationToken ct, long after = 0, int limit = 500)
    {
        if (limit is < 1 or > 5000)
        {
            return Problems.Invalid("limit", "limit is 1 to 5000");
        }

        if (await store.GetAsync(contactId, ct) is null)
        {
            return Problems.NotFound($"there is no contact '{contactId}'");
        }

        return TypedResults.Ok((await store.GetMessagesAsync(contactId, after, limit, ct)).Select(ToDto).ToList());
    }

    public sealed record ReleaseDto(IReadOnlyList<string> Released);

    private static async Task<Results<Ok<ReleaseDto>, ProblemHttpResult>> Release(string contactId, ConversationRunner runner, CancellationToken ct) =>
        await runner.ReleaseAsync(contactId, ct) is { } released
            ? TypedResults.Ok(new ReleaseDto(released))
            : Problems.NotFound($"there is no contact '{contactId}'");

    private static async Task<Results<Ok<ContactExport>, ProblemHttpResult>> Export(string contactId, IContactStore store, CancellationToken ct)
    {
        if (await store.GetAsync(contactId, ct) is not { } contact)
        {
            return Problems.NotFound($"there is no contact '{contactId}'");
        }

        var messages = new List<MessageDto>();
        long after = 0;
        while (true)
        {
            var page = await store.GetMessagesAsync(contactId, after, 5000, ct);
            messages.AddRange(page.Select(ToDto));
            if (page.Count < 5000)
            {
                break;
            }

            after = page[^1].Id;
        }

        var (conversations, executions) = await store.ExportAsync(contactId, ct);
        return TypedResults.Ok(new ContactExport(ToDto(contact), messages, conversations, executions));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Erase(string contactId, IContactStore store, IContactLocks locks, IServiceProvider services, CancellationToken ct)
    {
        // Under the contact's lock, so a message being handled cannot re-create what is being erased.
        await using var _ = await locks.AcquireAsync(contactId, ct);
        var (existed, jobIds) = await store.EraseAsync(contactId, ct);
        // Pending tries are cancelled; their rows are gone, so a job that still starts finds nothing and stops.
        if (services.GetService<IBackgroundJobClient>() is { } jobs)
        {
            foreach (var jobId in jobIds)
            {
                jobs.Delete(jobId);
            }
        }

        return existed ? TypedResults.NoContent() : Problems.NotFound($"there is no contact '{contactId}'");
    }

    private static ContactDto ToDto(ContactRecord c) => new(c.Id, c.Fields, c.CreatedAt, c.UpdatedAt);

    private static MessageDto ToDto(MessageRecord m) => new(m.Id, m.Direction, m.Text, m.Status, m.Channel, m.FlowId, m.BlockId, m.ConversationId, m.CreatedAt, m.Error, m.Attempts, m.UpdatedAt);
}
