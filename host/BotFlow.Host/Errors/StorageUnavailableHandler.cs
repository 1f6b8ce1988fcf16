using System.Data.Common;
using Microsoft.AspNetCore.Diagnostics;

namespace BotFlow.Host.Errors;

/// <summary>
/// The database is down or unreachable (PostgreSQL restarting, a SQLite file locked past its timeout): answer 503 with a
/// ProblemDetails and a Retry-After instead of a bare 500. A step's changes are committed in one transaction, so a
/// failed request left nothing half-written; the next request after the database is back simply works.
/// </summary>
public sealed class StorageUnavailableHandler(ILogger<StorageUnavailableHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsStorageFailure(exception))
        {
            return false;
        }

        logger.LogWarning("Storage unavailable for {Method} {Path}: {Error}", httpContext.Request.Method, httpContext.Request.Path, exception.Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = "5";
        await Results.Problem(title: "Storage is unavailable.", detail: "The database did not answer; nothing was stored. Try again in a few seconds.",
            statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(httpContext);
        return true;
    }

    private static bool IsStorageFailure(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException or System.Net.Sockets.SocketException || e.GetType().FullName is "Npgsql.NpgsqlException" or "Npgsql.PostgresException")
            {
                return true;
            }
        }

        return false;
    }
}
