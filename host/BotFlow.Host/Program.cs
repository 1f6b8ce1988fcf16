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

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
builder.Services
    .AddBotFlowSecurity()
    .AddBotFlowStorage()
    .AddBotFlowTemplates()
    .AddBotFlowPlugins()
    .AddBotFlowFlows()
    .AddBotFlowConversations()
    .AddBotFlowSecrets()
    .AddBotFlowIntegrations()
    .AddBotFlowJobs(builder.Configuration)
    .AddBotFlowHealth();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseBotFlowEditor();
app.UseAuthentication();
app.UseAuthorization();

var api = app.MapGroup("/api");
api.MapPlugins();
api.MapFields();
api.MapFlows();
api.MapConversations();
api.MapContacts();
api.MapSecrets();
api.MapIntegrations();
api.MapExecutions();
api.MapRecurring();
app.MapBotFlowJobs();
app.MapBotFlowHealth();
app.MapOpenApi().RequireAuthorization(Policies.Read);
app.UseSwaggerUI(o =>
{
    o.SwaggerEndpoint("/openapi/v1.json", "BotFlow API");
    o.RoutePrefix = "api-docs";
});
app.MapBotFlowEditor();

app.Run();

/// <summary>Entry point, public for WebApplicationFactory.</summary>
public partial class Program;
