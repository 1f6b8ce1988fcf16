namespace BotFlow.Host.Tests.Infrastructure;

/// <summary>The example flows and fields of shared/spec/examples, as copied into samples/flows (the test output has them).</summary>
public static class Samples
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "samples", "flows");

    public static string Flow(string name) => File.ReadAllText(Path.Combine(Folder, name + ".flow.json"));

    public static string Fields => File.ReadAllText(Path.Combine(Folder, "fields.json"));

    /// <summary>Creates the sample fields, the secrets and the flow (its upstream rewritten to <paramref name="upstream"/>).</summary>
    public static async Task InstallAsync(BotFlowApp app, FakeUpstream upstream, string flow, string? boletoToken = null, string? rdToken = null)
    {
        foreach (var field in Newtonsoft.Json.Linq.JArray.Parse(Fields))
        {
            await app.PutFieldAsync((string)field["key"]!, (string)field["label"]!, (string)field["type"]!);
        }

        var client = app.CreateClient();
        (await client.PutAsync("/api/secrets/boleto_token", BotFlowApp.Json($$"""{"value":"{{boletoToken ?? FakeUpstream.BoletoToken}}"}"""))).EnsureSuccessStatusCode();
        (await client.PutAsync("/api/secrets/rd_token", BotFlowApp.Json($$"""{"value":"{{rdToken ?? FakeUpstream.RdToken}}"}"""))).EnsureSuccessStatusCode();
        await app.PutFlowAsync(upstream.Rewrite(Flow(flow)));
    }
}
