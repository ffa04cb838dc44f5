/**
 * Pictures of a simulation as plain SVG strings (cluster, host, message diagram, timelines,
 * plots) and an export of the trace for Perfetto / chrome://tracing / Chrome DevTools. Browser-safe: no DOM, no
 * Node built-ins; the same simulation state always gives the same output.
 */
export { renderCluster, renderClusterAt, clusterHostsDrawnMax, clusterTasksPerHostDrawnMax, storeTasksScannedMax } from "./cluster.js";
export type { ClusterViewOptions } from "./cluster.js";
export { renderHost, hostProcessesDrawnMax, hostContainerNamesScannedMax } from "./host.js";
export { renderMessages, messagesInWindow, messageLabel, messagesDrawnMax, messageLifelinesMax, messageFaultsDrawnMax, traceEventsScannedMax } from "./messages.js";
export type { MessageDiagramOptions, DiagramMessage, DiagramFault, MessageWindow } from "./messages.js";
export { renderRaftTimeline, renderTaskTimeline, taskStateSteps, timelineRowsMax, timelineSegmentsMax, taskTimelineStatesMax } from "./timelines.js";
export type { RaftTimelineOptions, TaskTimelineOptions, TaskStateStep } from "./timelines.js";
export { renderCdf, renderHistogram, renderMeasure, plotValuesMax, cdfPointsMax, histogramBinsMax } from "./plots.js";
export type { CdfOptions, HistogramOptions, MeasurePlotOptions } from "./plots.js";
export { exportTrace, exportTraceEventsMax, traceNetworkPid, traceThreadIdBase } from "./chrome-trace.js";
export type { ChromeTrace, ChromeTraceEvent, TraceExportOptions } from "./chrome-trace.js";
export { escapeXml } from "./svg.js";
