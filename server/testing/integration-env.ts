import { inject } from "vitest";
import { serviceEnv } from "./services";

// Point this test process at the suite's services before any module reads the env.
Object.assign(process.env, serviceEnv(inject("services")));
