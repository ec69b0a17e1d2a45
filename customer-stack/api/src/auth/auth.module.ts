// Auth: accounts, sessions, 2FA and the global guard every route passes through.
import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthSubjectData } from './auth-subject-data.js';
import { AuthService } from './auth.service.js';
import { CLOCK, systemClock } from './clock.js';
import { RateLimiter } from './rate-limiter.js';
import { SessionsRepository } from './sessions.repository.js';
import { TokenService } from './token.service.js';
import { UsersRepository } from './users.repository.js';

@Global()
@Module({
  controllers: [AuthController],
  providers: [
    { provide: CLOCK, useValue: systemClock },
    TokenService,
    RateLimiter,
    UsersRepository,
    SessionsRepository,
    AuthService,
    AuthSubjectData,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AuthService, TokenService, CLOCK],
})
export class AuthModule {}
