using AgentLedger.TestHost.Contract;

namespace AgentLedger.Tests.Infrastructure;

/// <summary>
/// Turns the test host's contract-violation answer into an exception at the call that caused it,
/// so a test fails there even when it never looks at the status code.
/// </summary>
public sealed class ContractCheckingHandler : DelegatingHandler
{
    public ContractCheckingHandler()
    {
    }

    public ContractCheckingHandler(HttpMessageHandler inner)
        : base(inner)
    {
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Headers.Contains(ContractValidation.ViolationHeader))
        {
            throw new OpenApiViolationException(await response.Content.ReadAsStringAsync(cancellationToken));
        }
        return response;
    }
}

public sealed class OpenApiViolationException(string report) : Exception(report);
