using BotFlow.Tests.Shared;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Linq;

namespace BotFlow.Host.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on 127.0.0.1 with the two partner APIs of shared/spec/examples: it checks the token and the exact
/// nested body shape like the real partner would, records every request, and can be told to misbehave for a while.
/// </summary>
public sealed class FakeUpstream : IAsyncDisposable
{
    public const string BoletoToken = "tok-boleto-9f8e7d6c";
    public const string RdToken = "tok-rd-1a2b3c4d5e";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task<bool>>> _overrides = new();

    public sealed record Received(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body);

    public ConcurrentQueue<Received> Requests { get; } = new();

    private FakeUpstream(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public static async Task<FakeUpstream> StartAsync()
    {
        var app = LoopbackServer.Create();
        var upstream = new FakeUpstream(app);
        app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            context.Request.Body.Position = 0;
            upstream.Requests.Enqueue(new Received(context.Request.Method, context.Request.Path, context.Request.QueryString.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), body));
            if (upstream._overrides.TryDequeue(out var behaviour) && await behaviour(context))
            {
                return;
            }

            await next();
        });
        app.MapPost("/boletos/segunda-via", Boleto);
        app.MapPost("/api/v1/deals", Deal);
        app.MapPost("/oauth/token", async context =>
        {
            var form = await context.Request.ReadFormAsync();
            if (form["client_id"] != "bot" || form["client_secret"] != "client-secret-xyz")
            {
                context.Response.StatusCode = 401;
                return;
            }

            await context.Response.WriteAsJsonAsync(new { access_token = "oauth-access-" + Guid.NewGuid().ToString("N")[..8], expires_in = 3600, token_type = "Bearer" });
        });
        app.MapGet("/echo-auth", async context => await context.Response.WriteAsJsonAsync(new { authorization = context.Request.Headers.Authorization.ToString() }));
        app.MapGet("/large", async context =>
        {
            context.Response.ContentType = "application/json";
            var chunk = new string('x', 64 * 1024);
            await context.Response.WriteAsync("{\"data\":\"");
            for (var i = 0; i < 32; i++)
            {
                await context.Response.WriteAsync(chunk);
            }

            await context.Response.WriteAsync("\"}");
        });
        // Headers as some partners send them: a content type without the space, a name repeated, a name in capitals.
        app.MapGet("/headers", async context =>
        {
            context.Response.Headers.ContentType = "application/json;charset=UTF-8";
            context.Response.Headers.Append("X-Trace", "a");
            context.Response.Headers.Append("X-Trace", "b");
            context.Response.Headers["X-PARTNER-ID"] = "p-1";
            await context.Response.WriteAsync("{\"ok\":true}");
        });
        // A Latin-1 answer whose bytes are also valid UTF-8 ("Ã§" in Latin-1 is "ç" read as UTF-8): only its charset says which.
        app.MapGet("/latin1", async context =>
        {
            context.Response.Headers.ContentType = "application/json; charset=iso-8859-1";
            await context.Response.Body.WriteAsync(System.Text.Encoding.Latin1.GetBytes("{\"nome\":\"Ã§\"}"));
        });
        app.MapGet("/redirect/{n:int}", (int n) => n == 0 ? Results.Json(new { arrived = true }) : Results.Redirect($"/redirect/{n - 1}"));
        // 307/308 keep the method and body, 302/303 turn a POST into a GET (twice, to see the body survive two hops).
        app.MapMethods("/redirect-post/{code:int}/{n:int}", ["GET", "POST"], (int code, int n) => Results.Redirect(n > 1 ? $"/redirect-post/{code}/{n - 1}" : "/echo",
            permanent: code is 301 or 308, preserveMethod: code is 307 or 308));
        app.MapMethods("/echo", ["GET", "POST"], async context =>
            await context.Response.WriteAsJsonAsync(new { method = context.Request.Method, contentType = context.Request.ContentType, body = await new StreamReader(context.Request.Body).ReadToEndAsync() }));
        // Hostile partners, for the hostile-input battery.
        app.MapGet("/hostile/loop", () => Results.Redirect("/hostile/loop"));
        app.MapGet("/hostile/to-metadata", () => Results.Redirect("http://169.254.169.254/latest/meta-data/"));
        app.MapGet("/hostile/endless", async context =>
        {
            context.Response.ContentType = "application/json";
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'x');
            for (var i = 0; i < 32_768 && !context.RequestAborted.IsCancellationRequested; i++) // up to 2 GiB, stopped when the client hangs up
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
        });
        app.MapGet("/hostile/gzip-bomb", async context =>
        {
            using var compressed = new MemoryStream();
            await using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
            {
                var zeros = new byte[1024 * 1024];
                for (var i = 0; i < 64; i++)
                {
                    await gzip.WriteAsync(zeros);
                }
            }

            context.Response.Headers.ContentEncoding = "gzip";
            context.Response.ContentType = "text/plain";
            await context.Response.Body.WriteAsync(compressed.ToArray());
        });
        app.MapGet("/hostile/drip", async context =>
        {
            context.Response.ContentType = "application/json";
            for (var i = 0; i < 60 && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await context.Response.Body.WriteAsync("{"u8.ToArray(), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(1000, context.RequestAborted);
            }
        });
        app.MapGet("/hostile/invalid-utf8", async context =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.Body.WriteAsync(new byte[] { 0x6f, 0x6b, 0xff, 0xfe, 0xc3, 0x28 });
        });
        app.MapGet("/hostile/headers", async context =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                context.Response.Headers[$"X-H{i}"] = "v";
            }

            await context.Response.WriteAsync("{}");
        });
        app.MapGet("/hostile/retry-after-ten-years", context =>
        {
            context.Response.StatusCode = 503;
            context.Response.Headers.RetryAfter = (10L * 365 * 24 * 3600).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        });
        app.MapGet("/hostile/echo-secret", (HttpContext context) =>
            Results.Json(new { error = "bad credential " + context.Request.Headers.Authorization.ToString() }, statusCode: 200));
        upstream.BaseUrl = await LoopbackServer.StartAsync(app);
        return upstream;
    }

    /// <summary>The next <paramref name="times"/> requests get this answer instead of the normal one.</summary>
    public void Next(int times, int status, string body = "", string contentType = "application/json", TimeSpan? delay = null, string? retryAfter = null)
    {
        for (var i = 0; i < times; i++)
        {
            _overrides.Enqueue(async context =>
            {
                if (delay is { } wait)
                {
                    await Task.Delay(wait, context.RequestAborted);
                }

                context.Response.StatusCode = status;
                context.Response.ContentType = contentType;
                if (retryAfter is not null)
                {
                    context.Response.Headers.RetryAfter = retryAfter;
                }

                await context.Response.WriteAsync(body);
                return true;
            });
        }
    }

    public string Rewrite(string flowJson) => flowJson.Replace("http://127.0.0.1:18080", BaseUrl, StringComparison.Ordinal);

    private static async Task Boleto(HttpContext context)
    {
        if (context.Request.Headers.Authorization != $"Bearer {BoletoToken}")
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsJsonAsync(new { error = "invalid token" });
            return;
        }

        var body = JObject.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync());
        var cpf = (string?)body.SelectToken("customer.cpf");
        var shapeOk = body.Properties().Select(p => p.Name).SequenceEqual(["customer", "contacts", "source"])
                      && body["customer"] is JObject { Count: 2 } customer && customer["name"]?.Type == JTokenType.String && cpf is { Length: 11 }
                      && body["contacts"] is JArray { Count: 1 } contacts && contacts[0] is JObject contact && contact["name"]?.Type == JTokenType.String
                      && contact["emails"] is JArray { Count: 1 } emails && emails[0]["email"] is not null
                      && (string?)body["source"] == "bot";
        if (!shapeOk)
        {
            context.Response.StatusCode = 422;
            await context.Response.WriteAsJsonAsync(new { error = "unexpected body shape", received = body });
            return;
        }

        await context.Response.WriteAsJsonAsync(new { data = new { url = $"https://pay.example/b/{cpf}", amount = 123.45m } });
    }

    private static async Task Deal(HttpContext context)
    {
        if (context.Request.Query["token"] != RdToken)
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsJsonAsync(new { error = "invalid token" });
            return;
        }

        var body = JObject.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync());
        var shapeOk = body.Properties().Select(p => p.Name).SequenceEqual(["deal", "contacts", "deal_source"])
                      && body.SelectToken("deal.name")?.Type == JTokenType.String
                      && body.SelectToken("contacts[0].name")?.Type == JTokenType.String
                      && body.SelectToken("contacts[0].emails[0].email") is not null
                      && body.SelectToken("contacts[0].phones[0].phone") is not null
                      && body.SelectToken("deal_source._id")?.Type == JTokenType.String;
        if (!shapeOk)
        {
            context.Response.StatusCode = 422;
            await context.Response.WriteAsJsonAsync(new { error = "unexpected body shape", received = body });
            return;
        }

        await context.Response.WriteAsJsonAsync(new { _id = "deal-" + Guid.NewGuid().ToString("N")[..10], name = (string?)body.SelectToken("deal.name") });
    }

    public ValueTask DisposeAsync() => LoopbackServer.StopAsync(_app);
}
