/// Desktop and Android capture pipelines. Empty until the desktop and Android issues.
public enum Capture {}
