import { inject } from "vitest";
import { setEnv } from "~/lib/env";
import { serviceVars } from "./services";

// Point this test process at the suite's services before any module reads the env.
setEnv(serviceVars(inject("services")));
