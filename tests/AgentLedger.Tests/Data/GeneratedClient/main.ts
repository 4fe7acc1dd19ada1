// Reports a run and reads stats with the client @hey-api/openapi-ts generates from /openapi/v1.json.
// The test also compiles a copy whose status is 'succeeded': the document's enum must refuse it.
import { client } from './gen/client.gen';
import { executionsReportExecution, statsGetAgentStats } from './gen/sdk.gen';
import type { ExecutionStatus } from './gen/types.gen';

declare const process: { env: Record<string, string | undefined>; exitCode?: number };

async function main(): Promise<void> {
    client.setConfig({ baseUrl: process.env.LEDGER_URL, headers: { 'X-Api-Key': process.env.LEDGER_KEY } });
    const started = new Date(Date.now() - 60_000);
    const reported = await executionsReportExecution({
        body: {
            agent_name: 'ts-client',
            started_at: started.toISOString(),
            completed_at: new Date(started.getTime() + 1_500).toISOString(),
            status: 'success', // status-under-test
            resources_processed: 3,
        },
        throwOnError: true,
    });
    const status: ExecutionStatus = reported.data.status;
    const stats = await statsGetAgentStats({ path: { name: 'ts-client' }, query: { window: '1d' }, throwOnError: true });
    const window = stats.data.stats.window;
    console.log(JSON.stringify({ id: reported.data.id, status, runs: window.runs, p50: window.duration_ms.p50, max: window.duration_ms.max }));
}

main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
});
