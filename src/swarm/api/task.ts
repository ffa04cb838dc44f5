/**
 * Tasks as the Engine API shows them (`GET /tasks`, `GET /tasks/{id}`): moby's
 * `convert.TaskFromGRPC`. The spec has no `Runtime` (only services get one), `Labels` is always
 * a map, `Status.PortStatus` is always `{}`, `Status.ContainerStatus` appears once the agent has
 * a container, `Volumes` is always `null` (Go's nil slice without omitempty), and there is no
 * `Name` (swarmkit's `orchestrator.NewTask` leaves the task's annotations empty).
 */
import type { Task } from "../types.js";
import { apiTime, metaToApi, type ApiContext, type ApiObject } from "./common.js";
import { taskSpecToApi } from "./service.js";

/** The Engine API's Task for `task`. */
export function taskToApi(task: Task, context: ApiContext): Record<string, unknown> {
  const json: ApiObject = metaToApi(task, context);
  // No Name: swarmkit's orchestrator.NewTask sets no task annotations (clients name tasks service.slot).
  json.Labels = {};
  json.Spec = taskSpecToApi(task.spec, { runtime: false });
  if (task.serviceId !== "") json.ServiceID = task.serviceId;
  if (task.slot !== 0) json.Slot = task.slot;
  if (task.nodeId !== "") json.NodeID = task.nodeId;

  const status: ApiObject = { Timestamp: apiTime(task.status.timestamp, context), State: task.status.state };
  if (task.status.message !== "") status.Message = task.status.message;
  if (task.status.error !== "") status.Err = task.status.error;
  if (task.status.containerId !== null) {
    status.ContainerStatus = { ContainerID: task.status.containerId, PID: task.status.pid, ExitCode: task.status.exitCode ?? 0 };
  }
  status.PortStatus = {};
  json.Status = status;
  json.DesiredState = task.desiredState;
  json.Volumes = null;
  return json;
}
