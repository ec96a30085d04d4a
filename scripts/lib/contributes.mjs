// The source of package.json's `contributes` and `activationEvents`: one list of commands with
// their menus, so titles, palette visibility and when-clauses are written once.
// `node scripts/lib/contributes.mjs` rewrites package.json.
import { readFileSync, writeFileSync } from 'node:fs';

const VIEW = 'view == cloudflareWorkflows.tree';
const inst = (re) => `${VIEW} && viewItem =~ /^cfwfInstance:${re}/`;
const RW_INSTANCE = '[^:]+:rw:';
const PREVIEW_ACTIVE = "activeWebviewPanelId == 'cloudflareWorkflows.instance' && cloudflareWorkflows.instancePreviewActive";

/** [id, title, icon?, palette?] — palette false hides internal commands. */
const commands = [
  ['refresh', 'Refresh', '$(refresh)'],
  ['showLog', 'Show Log'],
  ['addAccount', 'Add Cloudflare Account…', '$(add)'],
  ['importEnvToken', 'Import Token from Environment (CLOUDFLARE_API_TOKEN)…'],
  ['signInWithWrangler', 'Sign In with Wrangler…'],
  ['renameConnection', 'Rename Connection…'],
  ['updateToken', 'Update Token…', '$(key)'],
  ['removeConnection', 'Remove Connection', '$(trash)'],
  ['connectLocal', 'Connect to Local Dev Session…', '$(plug)'],
  ['startLocalSession', 'Start Local Dev Session', '$(play)'],
  ['diagnoseConnection', 'Diagnose Connection', '$(pulse)'],
  ['createInstance', 'Create Instance…', '$(add)'],
  ['createInstancesFromFile', 'Create Instances from JSON File…', '$(files)'],
  ['openInstance', 'Open Instance…', '$(open-preview)'],
  ['goToInstance', 'Go to Instance…', '$(go-to-search)'],
  ['pause', 'Pause', '$(debug-pause)'],
  ['resume', 'Resume', '$(debug-continue)'],
  ['terminate', 'Terminate…', '$(debug-stop)'],
  ['restart', 'Restart…', '$(debug-restart)'],
  ['sendEvent', 'Send Event…', '$(mail)'],
  ['sendEventToAll', 'Send Event to All…', '$(mail)'],
  ['deleteInstance', 'Delete Instance(s)…', '$(trash)'],
  ['copyInstanceId', 'Copy Instance ID', '$(copy)'],
  ['copyInstanceJson', 'Copy Instance as JSON'],
  ['openInDashboard', 'Open in Cloudflare Dashboard', '$(link-external)'],
  ['exportInstance', 'Export Instance…', '$(save)'],
  ['createTestFromInstance', 'Create Test from Instance…', '$(beaker)'],
  ['openInstanceJson', 'Open Instance as JSON', '$(json)'],
  ['rerunWithSameParams', 'Rerun with Same Params', '$(run-all)'],
  ['compareInstances', 'Compare Instances…', '$(diff)'],
  ['watchInstance', 'Watch Instance', '$(eye)'],
  ['watchWorkflow', 'Watch Workflow (errors)', '$(eye)'],
  ['unwatchAll', 'Stop All Watches', '$(eye-closed)'],
  ['filterWorkflow', 'Filter Instances…', '$(filter)'],
  ['showWorkflowDetails', 'Workflow Details', '$(info)'],
  ['clearFilter', 'Clear Filter', '$(clear-all)'],
  ['searchWorkflows', 'Search Workflows…', '$(search)'],
  ['revealWorkflow', 'Open in Workflows View', '$(list-tree)'],
  ['revealWorkflowClass', 'Reveal Workflow Class', '$(symbol-class)'],
  ['pickSourceConnection', 'Pick Connection for Step Statistics…', '$(graph)'],
  ['refreshStepStatistics', 'Refresh Step Statistics', '$(refresh)'],
  ['keepInstanceOpen', 'Keep Instance Open', '$(pinned)'],
  ['previewInstance', 'Preview Instance', undefined, false],
  ['loadMore', 'Load More Instances', undefined, false],
  ['showNewInstances', 'Show New Instances', undefined, false],
];

const item = (command, when, group) => ({ command: `cloudflareWorkflows.${command}`, when, group });

const menus = {
  'view/title': [
    item('refresh', VIEW, 'navigation@1'),
    item('addAccount', VIEW, 'navigation@2'),
    item('searchWorkflows', VIEW, 'navigation@3'),
    item('startLocalSession', VIEW, '1_local@1'),
    item('connectLocal', VIEW, '1_local@2'),
    item('importEnvToken', VIEW, '2_account@1'),
    item('signInWithWrangler', VIEW, '2_account@0'),
    item('diagnoseConnection', VIEW, '3_tools@1'),
    item('clearFilter', VIEW, '3_tools@2'),
    item('unwatchAll', VIEW, '3_tools@3'),
    item('showLog', VIEW, '3_tools@4'),
  ],
  'view/item/context': [
    // Connections
    item('refresh', `${VIEW} && viewItem =~ /^cfwfConnection:/`, 'inline@9'),
    item('diagnoseConnection', `${VIEW} && viewItem =~ /^cfwfConnection:/`, '1_conn@1'),
    item('searchWorkflows', `${VIEW} && viewItem =~ /^cfwfConnection:/`, '1_conn@2'),
    item('renameConnection', `${VIEW} && viewItem =~ /^cfwfConnection:cloud:/`, '2_manage@1'),
    item('updateToken', `${VIEW} && viewItem =~ /^cfwfConnection:cloud:/`, '2_manage@2'),
    item('removeConnection', `${VIEW} && viewItem =~ /^cfwfConnection:cloud:/`, '2_manage@3'),
    // Workflows
    item('createInstance', `${VIEW} && viewItem =~ /^cfwfWorkflow:[^:]+:rw/`, 'inline@1'),
    item('filterWorkflow', `${VIEW} && viewItem =~ /^cfwfWorkflow:/`, 'inline@2'),
    item('createInstance', `${VIEW} && viewItem =~ /^cfwfWorkflow:[^:]+:rw/`, '1_create@1'),
    item('createInstancesFromFile', `${VIEW} && viewItem =~ /^cfwfWorkflow:[^:]+:rw/`, '1_create@2'),
    item('showWorkflowDetails', `${VIEW} && viewItem =~ /^cfwfWorkflow:/`, '0_details@1'),
    item('goToInstance', `${VIEW} && viewItem =~ /^cfwfWorkflow:/`, '2_find@1'),
    item('filterWorkflow', `${VIEW} && viewItem =~ /^cfwfWorkflow:/`, '2_find@2'),
    item('clearFilter', `${VIEW} && viewItem =~ /^cfwfWorkflow:.*:filtered/`, '2_find@3'),
    item('watchWorkflow', `${VIEW} && viewItem =~ /^cfwfWorkflow:/`, '3_watch@1'),
    item('revealWorkflowClass', `${VIEW} && viewItem =~ /^cfwfWorkflow:/`, '4_source@1'),
    item('refresh', `${VIEW} && viewItem =~ /^cfwfWorkflow:/`, '9_refresh@1'),
    // Instances: the main action inline, the rest in the context menu; all gated by status.
    item('pause', inst('(running|waiting):rw:'), 'inline@1'),
    item('resume', inst('(paused|waitingForPause):rw:'), 'inline@1'),
    item('sendEvent', inst('(running|waiting):rw:'), 'inline@2'),
    item('openInstance', inst(''), '1_open@1'),
    item('openInstanceJson', inst(''), '1_open@2'),
    item('pause', inst('(running|waiting):rw:'), '2_state@1'),
    item('resume', inst('(paused|waitingForPause):rw:'), '2_state@2'),
    item('sendEvent', inst('(running|waiting):rw:'), '2_state@3'),
    item('terminate', inst('(queued|running|paused|waitingForPause|waiting|rollingBack|unknown):rw:'), '2_state@4'),
    item('restart', inst(RW_INSTANCE), '2_state@5'),
    item('rerunWithSameParams', inst(RW_INSTANCE), '2_state@6'),
    item('copyInstanceId', inst(''), '3_copy@1'),
    item('copyInstanceJson', inst(''), '3_copy@2'),
    item('exportInstance', inst(''), '3_copy@3'),
    item('createTestFromInstance', inst(''), '3_copy@4'),
    item('compareInstances', inst(''), '4_more@1'),
    item('watchInstance', inst(''), '4_more@2'),
    item('openInDashboard', inst('[^:]+:[^:]+:cloud'), '4_more@3'),
    item('deleteInstance', inst('[^:]+:rw:.*\\+del'), '9_delete@1'),
    // "Waiting for events": a type group (its type is known, or asked) and a multi-selection of instances.
    item('sendEventToAll', `${VIEW} && viewItem =~ /^cfwfEventType:[^:]+:rw/`, 'inline@1'),
    item('sendEventToAll', `${VIEW} && viewItem =~ /^cfwfEventType:[^:]+:rw/`, '2_state@1'),
    item('sendEventToAll', inst('(running|waiting):rw:'), '2_state@7'),
  ],
  // The preview panel's "Keep Open" (webview titles cannot be italic, so the preview says "Preview:").
  'editor/title': [item('keepInstanceOpen', PREVIEW_ACTIVE, 'navigation@1')],
  commandPalette: [
    ...commands.filter((c) => c[3] === false).map(([id]) => ({ command: `cloudflareWorkflows.${id}`, when: 'false' })),
    { command: 'cloudflareWorkflows.keepInstanceOpen', when: PREVIEW_ACTIVE },
  ],
};

export const contributes = {
  viewsContainers: {
    activitybar: [{ id: 'cloudflareWorkflows', title: 'Cloudflare Workflows', icon: 'media/workflows.svg' }],
  },
  views: {
    cloudflareWorkflows: [{ id: 'cloudflareWorkflows.tree', name: 'Workflows', icon: 'media/workflows.svg', contextualTitle: 'Cloudflare Workflows' }],
  },
  viewsWelcome: [
    {
      view: 'cloudflareWorkflows.tree',
      contents:
        'No Workflows connection yet.\nA local `wrangler dev` session on ports 8787–8797 is found by itself.\n[Start Local Dev Session](command:cloudflareWorkflows.startLocalSession)\n[Connect to a Local Session…](command:cloudflareWorkflows.connectLocal)\n[Add Cloudflare Account…](command:cloudflareWorkflows.addAccount)\nRead the [Workflows documentation](https://developers.cloudflare.com/workflows/).',
    },
  ],
  commands: commands.map(([id, title, icon]) => ({ command: `cloudflareWorkflows.${id}`, title, category: 'Cloudflare Workflows', ...(icon ? { icon } : {}) })),
  menus,
  configuration: {
    title: 'Cloudflare Workflows',
    properties: {
      // Machine scope: a workspace's .vscode/settings.json must not point the extension at a host.
      'cloudflareWorkflows.localUrls': { type: 'array', items: { type: 'string' }, default: [], scope: 'machine', markdownDescription: 'Extra local dev session URLs to probe besides `http://127.0.0.1:8787`–`8797`. A non-loopback address is contacted only after you agree to it once (run **Connect to Local Dev Session…** with it). Not settable by a workspace.' },
      'cloudflareWorkflows.autoRefreshSeconds': { type: 'number', default: 15, minimum: 0, description: 'Refresh the expanded parts of the tree this often while the view is visible and the window focused (0 turns it off).' },
      'cloudflareWorkflows.pageSize': { type: 'number', default: 50, minimum: 1, maximum: 100, description: 'Instances listed per page in a status group.' },
      'cloudflareWorkflows.instanceRefreshSeconds': { type: 'number', default: 3, minimum: 1, description: 'Refresh an open instance view this often while the instance is not finished.' },
      'cloudflareWorkflows.watchIntervalSeconds': { type: 'number', default: 10, minimum: 2, description: 'How often watched instances and workflows are checked.' },
      'cloudflareWorkflows.showStatusBar': { type: 'boolean', default: true, description: 'Show running and errored counts in the status bar.' },
      'cloudflareWorkflows.nodePath': { type: 'string', default: '', scope: 'application', markdownDescription: 'Node.js used to run the workspace\'s wrangler for **Sign In with Wrangler** (empty: `node` on PATH). Current wrangler needs Node.js 22.12 or newer.' },
      'cloudflareWorkflows.apiBaseUrl': { type: 'string', default: '', scope: 'application', markdownDescription: 'Cloudflare API base URL for new account connections (empty: `https://api.cloudflare.com/client/v4`). For proxies and tests.' },
      'cloudflareWorkflows.codeLens.enabled': { type: 'boolean', default: true, description: 'Show run statistics above step calls in Workflow classes.' },
      'cloudflareWorkflows.codeLens.recentInstances': { type: 'number', default: 20, minimum: 1, maximum: 100, description: 'How many recent instances the step statistics cover.' },
    },
  },
};

/** Restricted Mode: browsing works; the settings that choose where requests go are not read from an untrusted workspace. */
export const capabilities = {
  untrustedWorkspaces: {
    supported: 'limited',
    description: 'In Restricted Mode the extension does not read the settings that choose where requests go from the workspace.',
    restrictedConfigurations: ['cloudflareWorkflows.localUrls', 'cloudflareWorkflows.apiBaseUrl', 'cloudflareWorkflows.nodePath'],
  },
};

export const activationEvents = [
  'onView:cloudflareWorkflows.tree',
  'workspaceContains:**/wrangler.json',
  'workspaceContains:**/wrangler.jsonc',
  'workspaceContains:**/wrangler.toml',
  'onWebviewPanel:cloudflareWorkflows.instance',
];

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  pkg.activationEvents = activationEvents;
  pkg.contributes = contributes;
  pkg.capabilities = capabilities;
  writeFileSync('package.json', JSON.stringify(pkg, null, 2) + '\n');
  console.log(`package.json: ${contributes.commands.length} commands, ${menus['view/item/context'].length} item menus`);
}
