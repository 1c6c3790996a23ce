package org.healthpredict.jobs;

import org.healthpredict.core.storage.OutputException;
import org.healthpredict.core.tracking.TrackingException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The jobs jar's entry point: one command with a subcommand per Spark job. */
@Command(
    name = "health-predict",
    mixinStandardHelpOptions = true,
    versionProvider = HealthPredictCli.Version.class,
    description = "Health Predict jobs: data, training and monitoring for 30-day readmission models on Spark.",
    subcommands = {
        DownloadCommand.class,
        GenerateCommand.class,
        SplitCommand.class,
        TrainCommand.class,
        TuneCommand.class,
        RegisterCommand.class,
        ApproveCommand.class,
        RollbackCommand.class,
        ScoreCommand.class,
        NextBatchCommand.class,
        DriftCommand.class,
    },
    footer = {
        "",
        "Exit codes:",
        "  0  success",
        "  1  the job failed (see the error message)",
        "  2  usage error: unknown or invalid option",
        "  3  invalid input: the data does not have the expected shape (e.g. missing columns)",
        "",
        "Run locally with bin/health-predict, or on a cluster with",
        "  spark-submit --class org.healthpredict.jobs.HealthPredictCli health-predict-jobs.jar <command> ..."
    })
public final class HealthPredictCli implements Runnable {

  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_INVALID_INPUT = 3;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line and returns its exit code (tests call this instead of main). */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new HealthPredictCli());
    cli.setExecutionExceptionHandler(new JobFailureHandler());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    return cli.execute(args);
  }

  /** Maps job failures to exit codes, printing one clear message instead of a stack trace. */
  static final class JobFailureHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
      String name = cmd.getCommandName();
      if (e instanceof InvalidInputException || e instanceof IllegalArgumentException) {
        cmd.getErr().println(name + ": invalid input: " + e.getMessage());
        return EXIT_INVALID_INPUT;
      }
      if (e instanceof TrackingException || e instanceof org.healthpredict.core.registry.RegistryException
          || e instanceof org.healthpredict.core.sweep.SweepStoppedException || e instanceof OutputException) {
        // The message names the server or storage, what it answered and (for outputs) what was being
        // written where and what is left there; a stack trace adds nothing.
        cmd.getErr().println(name + ": failed: " + e.getMessage());
        return EXIT_FAILED;
      }
      cmd.getErr().println(name + ": failed: " + e);
      e.printStackTrace(cmd.getErr());
      return EXIT_FAILED;
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = HealthPredictCli.class.getPackage().getImplementationVersion();
      return new String[] {"health-predict " + (v == null ? "dev" : v)};
    }
  }
}
