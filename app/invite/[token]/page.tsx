import { AcceptInvitation } from "~/components/auth/accept-invitation";
import { currentViewer } from "~/server/auth/pages";

export const dynamic = "force-dynamic";

/** An invitation link: anyone holding it may look; accepting makes or uses the invited account. */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const viewer = await currentViewer();
  return <AcceptInvitation token={token} signedInAs={viewer?.email ?? null} />;
}
