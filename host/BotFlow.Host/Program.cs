using BotFlow.Host.Audit;
using BotFlow.Host.Channels;
using BotFlow.Host.Contacts;
using BotFlow.Host.Conversations;
using BotFlow.Host.Editor;
using BotFlow.Host.Executions;
using BotFlow.Host.Integrations;
using BotFlow.Host.Jobs;
using BotFlow.Host.Secrets;
using BotFlow.Host.Fields;
using BotFlow.Host.Flows;
using BotFlow.Host.Health;
using BotFlow.Host.Plugins;
using BotFlow.Host.Security;
using BotFlow.Host.Storage;

if (args is ["hash-password", var password])
{
    // Makes a BotFlow:Auth:Users PasswordHash: dotnet run --project host/BotFlow.Host -- hash-password 'the password'
    Console.WriteLine(new Microsoft.AspNetCore.Identity.PasswordHasher<BotFlow.Host.Security.AuthUser>().HashPassword(new(), password));
    return;
}

if (args is ["migrate-to-postgres", var dataFolder, var connectionString])
{
    // Moves a SQLite data folder into an empty PostgreSQL database (docs/scale-out.md).
    await BotFlow.Host.Storage.SqliteToPostgres.RunAsync(dataFolder, connectionString, Console.Out, CancellationToken.None);
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<BotFlow.Host.Errors.StorageUnavailableHandler>();
builder.Services.AddOpenApi();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
builder.Services
    .AddBotFlowSecurity()
    .AddBotFlowStorage(builder.Configuration)
    .AddBotFlowTemplates()
    .AddBotFlowPlugins()
    .AddBotFlowFlows()
    .AddBotFlowConversations()
    .AddBotFlowSecrets()
    .AddBotFlowIntegrations()
    .AddBotFlowJobs(builder.Configuration)
    .AddBotFlowChannels(builder.Configuration)
    .AddBotFlowAudit()
    .AddBotFlowHealth();

var app = builder.Build();
app.UseBotFlowSecurityHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseBotFlowEditor();
app.UseAuthentication();
app.UseBotFlowAntiforgery();
app.UseRateLimiter();
app.UseAuthorization();
app.UseBotFlowAudit();

var api = app.MapGroup("/api");
api.MapAuth();
api.MapPlugins();
api.MapFields();
api.MapFlows();
api.MapConversations();
api.MapContacts();
api.MapSecrets();
api.MapIntegrations();
api.MapExecutions();
api.MapRecurring();
api.MapAudit();
api.MapChannels();
app.MapChannelWebhooks();
app.MapBotFlowJobs();
app.MapBotFlowHealth();
app.MapOpenApi().RequireAuthorization(Policies.Read);
// In a branch: the UI's middleware otherwise looked at the path of every request (a conversation message too).
app.UseWhen(context => context.Request.Path.StartsWithSegments("/api-docs"), docs => docs.UseSwaggerUI(o =>
{
    o.SwaggerEndpoint("/openapi/v1.json", "BotFlow API");
    o.RoutePrefix = "api-docs";
}));
app.MapBotFlowEditor();

app.Run();

/// <summary>Entry point, public for WebApplicationFactory.</summary>
public partial class Program;
