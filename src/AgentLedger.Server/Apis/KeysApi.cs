using AgentLedger.Core.Access;
using AgentLedger.Core.Common;
using AgentLedger.Server.Auth;
using AgentLedger.Server.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgentLedger.Server.Apis;

/// <summary><c>POST /api/keys</c> and friends (admin), and <c>GET /api/auth/whoami</c> (any key).</summary>
public static class KeysApi
{
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/keys").WithTags("Access").Access(AccessLevel.Admin).Problems(StatusCodes.Status503ServiceUnavailable);
        keys.MapPost("/", CreateKey).Accepts<CreateKeyRequest>("application/json")
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType)
            .WithSummary("Creates a named key; the answer is the only time the key itself is shown.");
        keys.MapGet("/", ListKeys).Problems(StatusCodes.Status400BadRequest).WithSummary("Every named key, newest first, revoked ones included; never a secret.");
        keys.MapDelete("/{id}", RevokeKey).Problems(StatusCodes.Status404NotFound).WithSummary("Revokes a key: refused from the next request on, on every node.");
        keys.MapPost("/{id}/rotate", RotateKey).Accepts<RotateKeyRequest>(isOptional: true, "application/json")
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType)
            .WithSummary("Gives a key a new secret; the old one keeps working for grace_seconds (default 0).");
        app.MapGet("/api/auth/whoami", WhoAmI).WithTags("Access").Access(AccessLevel.AnyKey).WithSummary("The key this call was made with: id, name, role and agents.");
        app.MapGet("/api/audit", ListAudit).WithTags("Access").Access(AccessLevel.Admin)
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status503ServiceUnavailable)
            .WithSummary("The audit log, newest first: who changed what, and refused keys.");
        return app;
    }

    public static async Task<Created<IssuedKey>> CreateKey(HttpContext http, KeyIssuer issuer, CancellationToken cancellationToken)
    {
        var body = await JsonBody<CreateKeyRequest>.ReadAsync(http.Request, optional: false, cancellationToken);
        if (body.Errors.Count > 0)
        {
            throw new ValidationException(body.Errors);
        }
        var request = body.Value!;
        var issued = await issuer.CreateAsync(request.Name, request.Role, request.Agents, request.ExpiresAt, http.Actor()!, cancellationToken);
        return TypedResults.Created($"/api/keys/{issued.Id}", issued);
    }

    public static async Task<Ok<Page<KeyView>>> ListKeys(int? limit, string? cursor, IKeyStore keys, CancellationToken cancellationToken)
    {
        var page = await keys.ListAsync(ApiQuery.Limit(limit), cursor, cancellationToken);
        return TypedResults.Ok(new Page<KeyView>(page.Items.Select(KeyView.From).ToList(), page.NextCursor));
    }

    public static async Task<NoContent> RevokeKey(string id, HttpContext http, KeyIssuer issuer, CancellationToken cancellationToken)
    {
        await issuer.RevokeAsync(id, http.Actor()!, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<IssuedKey>> RotateKey(string id, HttpContext http, KeyIssuer issuer, CancellationToken cancellationToken)
    {
        var body = await JsonBody<RotateKeyRequest>.ReadAsync(http.Request, optional: true, cancellationToken);
        if (body.Errors.Count > 0)
        {
            throw new ValidationException(body.Errors);
        }
        return TypedResults.Ok(await issuer.RotateAsync(id, body.Value?.GraceSeconds, http.Actor()!, cancellationToken));
    }

    public static Ok<WhoAmI> WhoAmI(HttpContext http)
    {
        var actor = http.Actor()!;
        var agents = http.User.FindAll(ApiKeyAuthenticationHandler.AgentClaim).Select(c => c.Value).ToList();
        return TypedResults.Ok(new WhoAmI(actor.KeyId, actor.KeyName, actor.Role.ToWire(), agents));
    }

    public static async Task<Ok<Page<AuditEntry>>> ListAudit(
        string? action, string? key, string? from, string? to, int? limit, string? cursor, IAuditLog audit, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (action is not null && !AuditActions.All.Contains(action))
        {
            errors["action"] = [$"is not an audit action; one of: {string.Join(", ", AuditActions.All)}"];
        }
        DateTimeOffset? fromTime = null, toTime = null;
        Collect(errors, () => fromTime = ApiQuery.Time(from, "from"));
        Collect(errors, () => toTime = ApiQuery.Time(to, "to"));
        var max = 0;
        Collect(errors, () => max = ApiQuery.Limit(limit));
        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }
        return TypedResults.Ok(await audit.ListAsync(new AuditFilter(action, string.IsNullOrEmpty(key) ? null : key, fromTime, toTime, max, cursor), cancellationToken));
    }

    private static void Collect(Dictionary<string, string[]> errors, Action read)
    {
        try
        {
            read();
        }
        catch (ValidationException invalid)
        {
            foreach (var (field, messages) in invalid.Errors)
            {
                errors[field] = messages;
            }
        }
    }
}
