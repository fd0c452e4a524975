import { describe, expect, it } from "vitest";
import { SignInThrottle, type SignInAdmission, type SignInAttempt } from "./sign-in-throttle.js";

const admitted = (admission: SignInAdmission): SignInAttempt => {
  if (admission.refusal) throw new Error(`refused: ${JSON.stringify(admission.refusal)}`);
  return admission.attempt;
};

describe("SignInThrottle", () => {
  it("keys pairs by normalised email, so case and spaces do not buy more tries", async () => {
    const throttle = new SignInThrottle({ failuresPerEmailAndAddress: 2 });
    admitted(await throttle.admit("A@Example.com", "10.0.0.1"));
    admitted(await throttle.admit(" a@example.COM ", "::ffff:10.0.0.1"));
    expect((await throttle.admit("a@example.com", "10.0.0.1")).refusal).toMatchObject({
      limit: "email_and_address",
      retryAfterSeconds: 60,
      blockStarted: true,
    });
    expect((await throttle.admit("a@example.com", "10.0.0.1")).refusal?.blockStarted).toBe(false);
  });

  it("does not count an abandoned attempt (the password was never answered)", async () => {
    const throttle = new SignInThrottle({ failuresPerEmailAndAddress: 1, failuresPerAddress: 1 });
    for (let i = 0; i < 3; i++) await throttle.abandoned(admitted(await throttle.admit("a@example.com", "10.0.0.2")));
    admitted(await throttle.admit("a@example.com", "10.0.0.2"));
    expect((await throttle.admit("b@example.com", "10.0.0.2")).refusal?.limit).toBe("address");
  });

  it("does not lift a block when an attempt let in before it succeeds", async () => {
    const throttle = new SignInThrottle({ failuresPerEmailAndAddress: 100, failuresPerAddress: 2 });
    const early = admitted(await throttle.admit("a@example.com", "10.0.0.3"));
    admitted(await throttle.admit("b@example.com", "10.0.0.3"));
    expect((await throttle.admit("c@example.com", "10.0.0.3")).refusal?.blockStarted).toBe(true);
    await throttle.succeeded(early);
    expect((await throttle.admit("d@example.com", "10.0.0.3")).refusal).toMatchObject({
      limit: "address",
      blockStarted: false,
    });
  });
});
