import Link from "next/link";

/** What a signed-in visitor sees where their role does not reach (answered with status 403). */
export default function Forbidden() {
  return (
    <div className="mx-auto mt-16 max-w-md rounded border border-slate-200 bg-white p-6 text-sm">
      <h1 className="mb-2 text-lg font-semibold">Not allowed</h1>
      <p className="text-slate-600">
        Your role in this workspace does not allow this page. Ask one of its owners for a different role (or, if you are not in any workspace
        yet, for an invitation).
      </p>
      <Link href="/" className="mt-4 inline-block text-sky-700 hover:underline">
        Back to Millrace
      </Link>
    </div>
  );
}
