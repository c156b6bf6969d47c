/// The runner-side daemon. The fabric issue fills it in.
public enum Agent {}
