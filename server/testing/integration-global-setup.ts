import type { TestProject } from "vitest/node";
import { startTestServices } from "./services";

declare module "vitest" {
  export interface ProvidedContext {
    services: { databaseUrl: string; temporalAddress: string; taskQueue: string; dataDir: string };
  }
}

export default async function setup(project: TestProject) {
  const services = await startTestServices("it");
  const { stop, ...rest } = services;
  project.provide("services", rest);
  return stop;
}
